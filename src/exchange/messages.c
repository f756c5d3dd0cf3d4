/*
 * messages.c — the outbox, the inbox and the refusals as one list of
 * messages (see messages.h).
 *
 * The three tables keep what each needs; the list is their union under one
 * set of columns, ordered by id (UUIDv7: the time each was written), so one
 * cursor pages through all of them.
 */
#include "exchange/messages.h"

#include "exchange/jcs.h"

#include <string.h>

const char *const exchange_message_states[] = {"pending", "delivered", "acknowledged",
					       "failed",  "accepted",  "refused",
					       NULL};

/* One set of columns over the three tables. */
#define MESSAGES                                                                                   \
	"SELECT o.id, 'out' AS direction, o.state, o.partner_id, o.document_id, o.kind,"           \
	" o.attempts, o.next_attempt_at, o.last_error, '' AS reason, o.created_at, o.updated_at"   \
	" FROM exchange_outbox o"                                                                  \
	" UNION ALL SELECT i.id, 'in', 'accepted', i.partner_id, i.document_id, i.kind, 0, NULL,"  \
	" '', '', i.received_at, i.received_at FROM exchange_inbox i"                              \
	" UNION ALL SELECT r.id, 'in', 'refused', r.partner_id, r.document_id, r.kind, 0, NULL,"   \
	" r.detail, r.reason, r.received_at, r.received_at FROM exchange_refusals r"

#define MESSAGE_COLUMNS                                                                            \
	"m.id, m.direction, m.state, m.partner_id, p.country, m.document_id, m.kind, m.attempts,"  \
	" m.next_attempt_at, m.last_error, m.reason, m.created_at, m.updated_at"

/* The row at stmt (MESSAGE_COLUMNS) as the API shows it. */
static json_t *message_json(struct store_stmt *stmt)
{
	int out = !strcmp(store_col_text(stmt, 1), "out");
	int refused = !strcmp(store_col_text(stmt, 2), "refused");
	json_t *m = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s}", "id",
			      store_col_text(stmt, 0), "direction", store_col_text(stmt, 1), "state",
			      store_col_text(stmt, 2), "partner_id", store_col_text(stmt, 3),
			      "partner_country", store_col_text(stmt, 4), "document_id",
			      store_col_text(stmt, 5), "kind", store_col_text(stmt, 6), "created_at",
			      store_col_text(stmt, 11), "updated_at", store_col_text(stmt, 12));

	if (m && out) {
		json_object_set_new(m, "attempts", json_integer(store_col_int64(stmt, 7)));
		if (!strcmp(store_col_text(stmt, 2), "pending"))
			json_object_set_new(m, "next_attempt_at",
					    json_string(store_col_text(stmt, 8)));
		if (*store_col_text(stmt, 9))
			json_object_set_new(m, "last_error", json_string(store_col_text(stmt, 9)));
	}
	if (m && refused) {
		json_object_set_new(m, "reason", json_string(store_col_text(stmt, 10)));
		json_object_set_new(m, "detail", json_string(store_col_text(stmt, 9)));
	}
	return m;
}

int exchange_messages_list(struct store_conn *conn, const struct exchange_message_filter *filter,
			   const char *after, int limit, json_t **items)
{
	struct store_stmt *stmt = NULL;
	int rc = store_prepare(conn,
			       "SELECT " MESSAGE_COLUMNS " FROM (" MESSAGES ") m"
			       " LEFT JOIN exchange_partners p ON p.id = m.partner_id"
			       " WHERE ($1 = '' OR m.direction = $1) AND ($2 = '' OR m.state = $2)"
			       " AND ($3 = '' OR m.partner_id = $3) AND ($4 = '' OR m.id < $4)"
			       " ORDER BY m.id DESC LIMIT $5",
			       &stmt);

	*items = json_array();
	if (!*items)
		rc = CV_ENOMEM;
	if (!rc)
		rc = store_bindf(stmt, "tttti", filter->direction ? filter->direction : "",
				 filter->state ? filter->state : "",
				 filter->partner_id ? filter->partner_id : "", after,
				 (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = json_array_append_new(*items, message_json(stmt)) ? CV_ENOMEM : CV_OK;
	store_finish(stmt);
	if (rc < 0) {
		json_decref(*items);
		*items = NULL;
		return rc;
	}
	return CV_OK;
}

int exchange_message_get(struct store_conn *conn, const char *id, json_t **out)
{
	struct store_stmt *stmt;
	json_t *document = NULL;
	const char *body;
	int rc = store_query_row(conn, &stmt,
				 "SELECT " MESSAGE_COLUMNS ", COALESCE(o.body, i.body, r.body)"
				 " FROM (" MESSAGES ") m"
				 " LEFT JOIN exchange_partners p ON p.id = m.partner_id"
				 " LEFT JOIN exchange_outbox o ON o.id = m.id"
				 " LEFT JOIN exchange_inbox i ON i.id = m.id"
				 " LEFT JOIN exchange_refusals r ON r.id = m.id WHERE m.id = $1",
				 "t", id);

	*out = NULL;
	if (rc)
		return rc;
	*out = message_json(stmt);
	body = store_col_text(stmt, 13);
	if (*out && body && !strcmp(store_col_text(stmt, 2), "refused")) {
		json_object_set_new(*out, "body", json_string(body));
	} else if (*out && body &&
		   exchange_jcs_parse(body, strlen(body), NULL, &document, NULL) == CV_OK) {
		json_object_set_new(*out, "document", document);
	}
	store_finish(stmt);
	return *out ? CV_OK : CV_ENOMEM;
}

/* {key: count} of a query's (key, count) rows into object. */
static int counts(struct store_conn *conn, const char *sql, json_t *object)
{
	struct store_stmt *stmt = NULL;
	int rc = store_prepare(conn, sql, &stmt);

	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = json_object_set_new(object, store_col_text(stmt, 0),
					 json_integer(store_col_int64(stmt, 1)))
			     ? CV_ENOMEM
			     : CV_OK;
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/* The latest messages matching where, newest first. */
static int latest_messages(struct store_conn *conn, const char *where, int latest, json_t *list)
{
	struct store_stmt *stmt = NULL;
	char sql[2048];
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT " MESSAGE_COLUMNS " FROM (" MESSAGES ") m"
		 " LEFT JOIN exchange_partners p ON p.id = m.partner_id WHERE %s"
		 " ORDER BY m.updated_at DESC, m.id DESC LIMIT $1",
		 where);
	rc = store_prepare(conn, sql, &stmt);
	if (!rc)
		rc = store_bindf(stmt, "i", (int64_t)latest);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = json_array_append_new(list, message_json(stmt)) ? CV_ENOMEM : CV_OK;
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int exchange_status(struct store_conn *conn, int latest, json_t **out)
{
	json_t *outgoing = json_pack("{s:i, s:i, s:i, s:i}", "pending", 0, "delivered", 0,
				     "acknowledged", 0, "failed", 0);
	json_t *incoming = json_pack("{s:i, s:i}", "accepted", 0, "refused", 0);
	json_t *failures = json_array(), *refusals = json_array();
	int rc = outgoing && incoming && failures && refusals ? CV_OK : CV_ENOMEM;

	*out = NULL;
	if (!rc)
		rc = counts(conn, "SELECT state, COUNT(*) FROM exchange_outbox GROUP BY state",
			    outgoing);
	if (!rc)
		rc = counts(conn,
			    "SELECT 'accepted', COUNT(*) FROM exchange_inbox"
			    " UNION ALL SELECT 'refused', COUNT(*) FROM exchange_refusals",
			    incoming);
	if (!rc)
		rc = latest_messages(conn,
				     "m.direction = 'out' AND (m.state = 'failed' OR"
				     " (m.state = 'pending' AND m.last_error <> ''))",
				     latest, failures);
	if (!rc)
		rc = latest_messages(conn, "m.state = 'refused'", latest, refusals);
	if (!rc)
		*out = json_pack("{s:O, s:O, s:O, s:O}", "out", outgoing, "in", incoming,
				 "failures", failures, "refusals", refusals);
	json_decref(outgoing);
	json_decref(incoming);
	json_decref(failures);
	json_decref(refusals);
	return rc ? rc : *out ? CV_OK : CV_ENOMEM;
}
