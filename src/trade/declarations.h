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
#include "base/ids.h"
#include "store/db.h"

#include <jansson.h>
#include <stddef.h>

#define TRADE_MAX_ITEMS 999

struct trade_item {
	const char *hs;     /* 6 to 10 digits */
	const char *origin; /* ISO 3166 alpha-2, or "" */
	double value;       /* in the node currency */
	double net_mass;    /* kg */
	double tax_rate;    /* percent */
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
	const char *const *documents; /* document types referenced (LPCO, certificates) */
	size_t ndocuments;
	json_t *document; /* the whole document as lodged (may be NULL: {}) */
};

/*
 * Store a declaration with its items and documents; id receives its UUID.
 * CV_EINVAL naming the bad field; CV_ECONFLICT when the number exists. In a
 * write transaction.
 */
int trade_declaration_insert(struct store_conn *conn, const struct trade_declaration *d,
			     char id[CV_UUID_STR], struct cv_error *err);

/* True when a declaration with this number exists. */
int trade_declaration_exists(struct store_conn *conn, const char *number);

#endif
