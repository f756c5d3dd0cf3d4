/* notify.c — see notify.h. */
#include "trade/notify.h"

#include "base/err.h"
#include "base/ids.h"

#include <stdlib.h>

int trade_event(struct store_conn *conn, const char *declaration_id, const char *kind,
		const char *at, const char *actor, json_t *detail)
{
	char id[CV_UUID_STR], *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	int rc;

	cv_uuid7(id);
	rc = store_execf(conn, NULL,
			 "INSERT INTO consignment_events (id, declaration_id, kind, at, actor, detail)"
			 " VALUES ($1, $2, $3, $4, $5, $6)",
			 "tttttt", id, declaration_id, kind, at, actor, text ? text : "{}");
	free(text);
	json_decref(detail);
	return rc;
}

int trade_notify(struct store_conn *conn, const char *operator_id, const char *declaration_id,
		 const char *status, const char *at, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	struct store_stmt *stmt;
	int64_t seq;
	int rc = CV_OK;

	if (!operator_id || !*operator_id)
		goto done;
	rc = store_query_row(conn, &stmt,
			     "UPDATE counters SET last = last + 1 WHERE name = 'notifications'"
			     " RETURNING last",
			     "");
	if (rc)
		goto done;
	seq = store_col_int64(stmt, 0);
	store_finish(stmt);
	rc = store_execf(conn, NULL,
			 "INSERT INTO notifications (seq, operator_id, declaration_id, status, detail,"
			 " created_at) VALUES ($1, $2, $3, $4, $5, $6)",
			 "itttt"
			 "t",
			 seq, operator_id, declaration_id, status, text ? text : "{}", at);
	/* The outbox: pushed by the delivery worker when the trader has a webhook. */
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO webhook_deliveries (seq, operator_id, next_attempt_at)"
				 " SELECT $1, operator_id, $3 FROM webhooks WHERE operator_id = $2",
				 "itt", seq, operator_id, at);
done:
	free(text);
	json_decref(detail);
	return rc;
}
