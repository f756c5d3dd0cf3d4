/*
 * release.h — from lodgement to release: duties and taxes assessed line by
 * line in whole minor units of the node's currency, electronic payments,
 * the arrival of the goods, the conditions of release (documents complete,
 * examinations done and nothing seized, the documentary check of a yellow
 * lane, duties paid — or deferred for an AEO with that benefit), release
 * itself (drawing LPCO quantities atomically), and the exit.
 *
 * Duty on an item is round(customs value x duty rate / 100) and VAT
 * round((customs value + duty) x VAT rate / 100), half away from zero, in
 * minor units; the rates come from the longest matching HS prefix of the
 * tariff, or a preferential rate for the item's origin under the agreement
 * it claims (a certificate of origin is required to claim one).
 */
#ifndef CV_TRADE_RELEASE_H
#define CV_TRADE_RELEASE_H

#include "auth/sessions.h"
#include "base/err.h"
#include "store/db.h"
#include "trade/lodging.h"

#include <jansson.h>
#include <stdint.h>

/* {currency, lines: [...], duty, vat, total, paid, due, deferred} of a declaration (id or number). */
int trade_assessment(struct store_conn *conn, const struct trade_context *ctx, const char *id,
		     json_t **out);

/*
 * Record an electronic payment (the trader, for its own declaration):
 * {reference, amount (minor units), method: card | bank_transfer |
 * e_wallet | guarantee}. CV_ECONFLICT for a reference seen before. In a
 * write transaction.
 */
int trade_payment(struct store_conn *conn, const struct trade_context *ctx,
		  const struct auth_principal *who, const char *id, json_t *body, json_t *errors,
		  json_t **out, struct cv_error *err);

/* What still stands between a declaration and its release: [{condition, message}]. */
int trade_release_conditions(struct store_conn *conn, const struct trade_context *ctx,
			     const char *id, json_t **unmet);

/*
 * Release (a border officer): CV_ECONFLICT naming the unmet conditions, or
 * an LPCO whose balance ran short meanwhile; else LPCO quantities are drawn,
 * the status is released and the trader told. In a write transaction.
 */
int trade_release(struct store_conn *conn, const struct trade_context *ctx,
		  const struct auth_principal *who, const char *id, json_t **out,
		  struct cv_error *err);

/* The goods arrived at the office, or left the country (after release). In a write transaction. */
int trade_arrival(struct store_conn *conn, const struct trade_context *ctx,
		  const struct auth_principal *who, const char *id, json_t **out,
		  struct cv_error *err);
int trade_exit(struct store_conn *conn, const struct trade_context *ctx,
	       const struct auth_principal *who, const char *id, json_t **out, struct cv_error *err);

/*
 * Bring the status in line with what stands: documents_required,
 * under_examination, payment_required (the trader is told what is due), or
 * lane_assigned (ready to release). Final statuses stay. In a write
 * transaction.
 */
int trade_refresh_status(struct store_conn *conn, const struct trade_context *ctx, const char *id);

#endif
