/*
 * declarations.h — goods declarations in the store: the header fields the
 * selectivity engine tests (parties, countries, office, mode, procedure),
 * the items, the documents referenced, and the whole document as lodged.
 *
 * This is the storage slice the selectivity engine and the declarations
 * import need; lodging through the API, amendments, numbering in the
 * national format and notifications come with the single window.
 */
#ifndef CV_TRADE_DECLARATIONS_H
#define CV_TRADE_DECLARATIONS_H

#include "base/err.h"
#include "auth/sessions.h"
#include "base/ids.h"
#include "store/db.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TRADE_MAX_ITEMS 999

struct trade_item {
	const char *hs;     /* 6 to 10 digits */
	const char *origin; /* ISO 3166 alpha-2, or "" */
	double value;       /* in the node currency */
	double net_mass;    /* kg */
	double tax_rate;    /* percent */
	/* As declared (single window lodging; imports leave them empty). */
	const char *description;
	double quantity;
	const char *unit;     /* UNECE Rec 20 */
	int64_t amount;       /* in minor units of currency */
	const char *currency; /* ISO 4217 */
	const char *preference;
	const char *certificate_of_origin; /* the certificate a preference is claimed under */
};

/* A document the declaration references: an LPCO, a certificate of origin, an invoice. */
struct trade_document {
	const char *type;
	const char *reference;
};

struct trade_declaration {
	const char *number;    /* unique */
	const char *direction; /* import, export or transit */
	const char *procedure, *office, *mode;
	const char *declarant, *importer, *exporter, *seller, *courier;
	const char *departure, *destination;
	int pre_arrival;
	const char *status;    /* accepted, released, ... */
	const char *source;    /* api, import, demo */
	const char *lodged_on; /* date */
	const struct trade_item *items;
	size_t nitems;
	const struct trade_document *documents;
	size_t ndocuments;
	const char *operator_id;      /* the trader that lodged (NULL: none, e.g. imports) */
	const char *lodged_by;        /* user name */
	const char *expected_arrival; /* RFC 3339, or NULL */
	json_t *document;             /* the whole document as lodged (may be NULL: {}) */
};

/*
 * Store a declaration with its items and documents; id receives its UUID.
 * CV_EINVAL naming the bad field; CV_ECONFLICT when the number exists. In a
 * write transaction.
 */
int trade_declaration_insert(struct store_conn *conn, const struct trade_declaration *d,
			     char id[CV_UUID_STR], struct cv_error *err);

/*
 * Replace the header, items and documents of declaration id with d (an
 * amendment; number, direction, status and lodgement stay) as version. In a
 * write transaction.
 */
int trade_declaration_replace(struct store_conn *conn, const char *id,
			      const struct trade_declaration *d, int version, struct cv_error *err);

/* True when a declaration with this number exists. */
int trade_declaration_exists(struct store_conn *conn, const char *number);

/* One declaration (id or number) with items, documents, versions and events; CV_ENOTFOUND when absent or not the trader's. */
int trade_declaration_get(struct store_conn *conn, const struct auth_principal *who, const char *id,
			  json_t **out);

/* Declarations newest first, after a cursor (an id), at most limit; a trader sees its own. */
int trade_declarations_list(struct store_conn *conn, const struct auth_principal *who,
			    const char *status, const char *after, int limit, json_t **out);

/*
 * A trader's notifications with a sequence above after, oldest first, at
 * most limit; *next is the cursor to ask with next time.
 */
int trade_notifications(struct store_conn *conn, const struct auth_principal *who, int64_t after,
			int limit, json_t **out, int64_t *next);

#endif
