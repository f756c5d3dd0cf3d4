/*
 * lpco.h — licences, permits, certificates and other documents (LPCO) from
 * partner government agencies, electronically: a trader applies (type,
 * agency, goods by HS line with quantities, validity wanted); an officer of
 * that agency issues (number, validity, quantity per line) or refuses with
 * reasons; declarations use the quantities until a line is exhausted or
 * the LPCO expires.
 *
 *   {"type": "ODS-LICENCE", "agency": "KZ-MEN", "valid_from": "2026-12-01",
 *    "valid_to": "2027-11-30", "lines": [{"hs": "290341", "description":
 *    "HFC-134a refrigerant", "quantity": 2000, "unit": "KGM"}]}
 *
 * Who sees what: a trader its own operator's LPCOs, an agency officer its
 * agency's, customs all of them.
 */
#ifndef CV_TRADE_LPCO_H
#define CV_TRADE_LPCO_H

#include "auth/sessions.h"
#include "base/err.h"
#include "store/db.h"
#include "trade/lodging.h"

#include <jansson.h>

/* Apply (a trader). Field errors go into errors (every one); CV_EINVAL. In a write transaction. */
int trade_lpco_apply(struct store_conn *conn, const struct trade_context *ctx,
		     const struct auth_principal *who, json_t *body, json_t *errors, json_t **out,
		     struct cv_error *err);

/*
 * Issue or refuse (an officer of the LPCO's agency): body {decision: issue
 * | refuse, reasons, valid_from, valid_to, lines: [{line, quantity}]}.
 * CV_ECONFLICT when already decided. In a write transaction.
 */
int trade_lpco_decide(struct store_conn *conn, const struct trade_context *ctx,
		      const struct auth_principal *who, const char *id, json_t *body,
		      json_t *errors, json_t **out, struct cv_error *err);

/* One LPCO (id or number) with its lines and balances; CV_ENOTFOUND when absent or not visible. */
int trade_lpco_get(struct store_conn *conn, const struct auth_principal *who, const char *id,
		   json_t **out);

/* LPCOs newest first, after an id, at most limit; status "" for all. */
int trade_lpcos_list(struct store_conn *conn, const struct auth_principal *who, const char *status,
		     const char *after, int limit, json_t **out);

/* What a declaration item would draw from an LPCO. */
struct trade_lpco_use {
	const char *number, *type; /* the LPCO referenced, and the type required */
	const char *operator_id;   /* the trader using it (NULL: any) */
	const char *hs;
	double quantity; /* in unit */
	const char *unit;
	double net_mass; /* kg: drawn instead when the LPCO counts in KGM */
	const char *date;
};

/*
 * Can the item use the LPCO? CV_OK with *line the LPCO line that covers it
 * and *quantity what it draws (in the line's unit); otherwise CV_EINVAL with
 * why ("valid from ... to ..., not on ...", "a balance of 40 KGM") filled.
 */
int trade_lpco_check_use(struct store_conn *conn, const struct trade_lpco_use *use, int *line,
			 double *quantity, char *why, size_t why_size);

/*
 * Draw quantity from a line for a declaration item, atomically: the balance
 * is checked and decremented by one UPDATE, so two declarations racing for
 * the last quantity cannot both have it. CV_ECONFLICT when the balance is
 * short. In a write transaction.
 */
int trade_lpco_draw(struct store_conn *conn, const char *number, int line,
		    const char *declaration_id, int item, double quantity, const char *at,
		    struct cv_error *err);

#endif
