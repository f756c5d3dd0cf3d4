/*
 * lodging.h — electronic declarations through the single window: a trader
 * lodges once, before arrival; the declaration is checked field by field,
 * numbered in the national format, stored with its first version, and
 * decided by the selectivity engine at once; the trader is told each
 * status by notifications it pulls with a cursor.
 *
 *   {"direction": "import", "procedure": "4000", "office": "KZ-ALA",
 *    "declarant": "KZ123456789012", "importer": "KZ123456789012",
 *    "exporter": "CN-SHENZHEN-001", "seller": "CN-SHENZHEN-001",
 *    "departure": "CN", "destination": "KZ",
 *    "transport": {"mode": "3", "vehicle": "777ABC02", "containers": ["CSQU3054383"]},
 *    "expected_arrival": "2026-11-29T08:00:00Z",
 *    "items": [{"hs": "85171300", "description": "Smartphones", "origin": "CN",
 *               "quantity": 200, "unit": "H87", "net_mass": 52.5,
 *               "value": {"amount": 4000000, "currency": "USD"}}],
 *    "documents": [{"type": "INVOICE", "reference": "INV-2026-118"}]}
 *
 * Who may lodge: a trader for its own operator (the importer of an import,
 * the exporter of an export, the declarant of a transit), or as declarant
 * for a client it represents (table representations). Customs sees every
 * declaration; a trader only those it lodged or is a party to — others are
 * "not found", never "forbidden".
 */
#ifndef CV_TRADE_LODGING_H
#define CV_TRADE_LODGING_H

#include "auth/sessions.h"
#include "base/err.h"
#include "store/db.h"
#include "trade/declarations.h"

#include <jansson.h>
#include <stdint.h>

struct trade_context {
	const char *node_country;
	const char *node_currency;
	int64_t now_ms;
};

/*
 * Check doc and lodge it. Field errors are appended to errors as {field,
 * message} (every one, e.g. "items[1].hs") and the result is CV_EINVAL;
 * CV_EPERM when the trader may not lodge for these parties. *out receives
 * the declaration as GET returns it, with its lane. In a write transaction.
 */
int trade_lodge(struct store_conn *conn, const struct trade_context *ctx,
		const struct auth_principal *who, json_t *doc, json_t *errors, json_t **out,
		struct cv_error *err);

/*
 * Replace the document of a declaration not yet released, cancelled or
 * rejected (a new version; the old ones are kept). An amendment is a
 * compliance event of the trader, and the lane is decided again. In a write
 * transaction.
 */
int trade_amend(struct store_conn *conn, const struct trade_context *ctx,
		const struct auth_principal *who, const char *id, json_t *doc, const char *reason,
		json_t *errors, json_t **out, struct cv_error *err);

/*
 * Cancel a declaration not yet released; its open examination, if any, is
 * called off (status cancelled). In a write transaction.
 */
int trade_cancel(struct store_conn *conn, const struct trade_context *ctx,
		 const struct auth_principal *who, const char *id, const char *reason, json_t **out,
		 struct cv_error *err);

/* ISO 6346: true when a container number's check digit is right ("CSQU3054383"). */
int trade_container_valid(const char *number);

#endif
