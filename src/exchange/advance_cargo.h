/*
 * advance_cargo.h — advance cargo data received from partner
 * administrations, and how an import declaration compares with it.
 *
 * A partner node sends, when it releases an export destined here, a signed
 * document with the consignment (docs/EXCHANGE.md). The importer's
 * declaration references it (document type ADVANCE_CARGO_DOCUMENT_TYPE,
 * reference: the export declaration's number); the selectivity engine sees
 * advance_match true when the referenced data came from the country of
 * dispatch and agrees: every declared HS subheading was announced, and for
 * each the declared net mass is at most ADVANCE_CARGO_MASS_TOLERANCE above
 * the announced one.
 *
 * The document is documents.h's AdvanceCargoData: built from the released
 * export (sources.h) when sending, read member by member when received.
 */
#ifndef CV_EXCHANGE_ADVANCE_CARGO_H
#define CV_EXCHANGE_ADVANCE_CARGO_H

#include "base/err.h"
#include "exchange/documents.h"
#include "exchange/inbox.h"
#include "exchange/node.h"
#include "store/db.h"

#include <stddef.h>

/* The type of the document nodes exchange, and what a declaration references it as. */
#define ADVANCE_CARGO_TYPE EXCHANGE_TYPE_ADVANCE_CARGO
#define ADVANCE_CARGO_DOCUMENT_TYPE "ADVANCE-CARGO"
#define ADVANCE_CARGO_ITEMS_MAX 999
#define ADVANCE_CARGO_MASS_TOLERANCE 0.10

struct advance_cargo_item {
	const char *hs; /* 6 to 10 digits */
	const char *origin;
	double quantity;
	const char *unit;
	double net_mass; /* kg */
};

struct advance_cargo {
	const char *id;            /* the signed document's id */
	const char *country;       /* the sender (country of export), ISO 3166 alpha-2 */
	const char *export_number; /* the export declaration there */
	const char *exporter, *importer, *mode;
	const char *expected_arrival; /* RFC 3339 or NULL */
	const char *containers;       /* ISO 6346 numbers, space-separated ("" none) */
	const struct advance_cargo_item *items;
	size_t nitems;
	const char *document; /* the signed document as received (JSON text) */
};

/*
 * Store received advance cargo data in the caller's transaction. The same
 * document again changes nothing (*applied 0); a newer document for the
 * same export (an amendment there) replaces the older. CV_EINVAL naming
 * the bad member.
 */
int advance_cargo_record(struct store_conn *conn, const struct advance_cargo *a, const char *now,
			 int *applied, struct cv_error *err);

/* 1 when declaration_id's referenced advance cargo data agrees, 0 when not (or none), < 0 on error. */
int advance_cargo_matches(struct store_conn *conn, const char *declaration_id);

/*
 * A released export: its advance cargo data to every active partner of the
 * destination country with an advance cargo agreement in force, signed
 * and queued in the caller's write transaction (*queued: how many). An
 * import, or no such partner, sends nothing; so does a node without a key.
 */
int advance_cargo_announce(struct store_conn *conn, const struct exchange_node *node,
			   const char *declaration_id, int64_t now_ms, int *queued,
			   struct cv_error *err);

/*
 * Inbox handler for ADVANCE_CARGO_TYPE: store what the partner sent, under
 * its registered country. CV_EINVAL naming the member the reader refuses.
 */
int advance_cargo_receive(struct store_conn *conn, const struct exchange_inbox_message *message,
			  struct cv_error *err);

#endif
