/*
 * inspection.h — joint examination: when the lane is red, or a requirement
 * of the goods asks its agency to inspect, one examination is scheduled
 * with every party involved (customs and the agencies); each records its
 * own result; once all have, the examination's result is the worst of
 * theirs, and it feeds the trader's compliance record, consignment memory
 * and the engine's statistics like any other examination.
 */
#ifndef CV_TRADE_INSPECTION_H
#define CV_TRADE_INSPECTION_H

#include "auth/sessions.h"
#include "base/err.h"
#include "store/db.h"
#include "trade/declarations.h"
#include "trade/lodging.h"

#include <jansson.h>

/*
 * Schedule (or extend) the joint examination of a declaration just decided:
 * customs when lane is red, each agency whose requirement for the goods
 * asks for an inspection. Returns through *scheduled whether one is open.
 * In a write transaction.
 */
int trade_examination_plan(struct store_conn *conn, const struct trade_context *ctx,
			   const char *declaration_id, const struct trade_declaration *d,
			   const char *lane, int *scheduled, struct cv_error *err);

/*
 * Record a party's result (customs: a border officer; an agency: one of
 * its officers). CV_ENOTFOUND when the caller's party has no part in it;
 * CV_ECONFLICT when it recorded already, or when the declaration was
 * cancelled. *out receives the examination. In a write transaction.
 */
int trade_examination_result(struct store_conn *conn, const struct trade_context *ctx,
			     const struct auth_principal *who, const char *examination_id,
			     const char *result, const char *notes, json_t **out,
			     struct cv_error *err);

/* The examinations waiting for the caller's party, oldest first. */
int trade_examinations_pending(struct store_conn *conn, const struct auth_principal *who,
			       json_t **out);

/* One examination with its parties. */
int trade_examination_get(struct store_conn *conn, const char *examination_id, json_t **out);

#endif
