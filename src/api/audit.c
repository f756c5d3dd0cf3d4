/* audit.c — reading the audit log and proving it intact: GET /api/v1/audit, /api/v1/audit/verify. */
#include "api/api.h"

#include "audit/audit.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_PAGE_DEFAULT 100
#define AUDIT_PAGE_MAX 1000

int api_audit_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items, *detail;
	struct store_stmt *stmt;
	const char *after;
	int limit = api_paging(call, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, &after, errors);
	char *end;
	long long after_seq = strtoll(after, &end, 10);
	int64_t last = 0;
	int count = 0, rc;

	if (*after && (*end || after_seq < 0))
		json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "after", "message",
							"must be a sequence number"));
	if (api_refuse_fields(resp, errors, "bad paging parameters"))
		return 0;
	rc = store_prepare(call->conn,
			   "SELECT seq, id, at, actor, action, entity_type, entity_id, detail, hash"
			   " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
			   &stmt);
	if (rc)
		return api_error(resp, rc, NULL);
	items = json_array();
	rc = store_bindf(stmt, "ii", (int64_t)(*after ? after_seq : 0), (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		last = store_col_int64(stmt, 0);
		detail = json_loads(store_col_text(stmt, 7), 0, NULL);
		json_array_append_new(items,
				      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}",
						"seq", (json_int_t)last, "id",
						store_col_text(stmt, 1), "at",
						store_col_text(stmt, 2), "actor",
						store_col_text(stmt, 3), "action",
						store_col_text(stmt, 4), "entity_type",
						store_col_text(stmt, 5), "entity_id",
						store_col_text(stmt, 6), "detail",
						detail ? detail : json_object(), "hash",
						store_col_text(stmt, 8)));
		count++;
		rc = CV_OK;
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(items);
		return api_error(resp, rc, NULL);
	}
	return api_json(resp, 200,
			json_pack("{s:o, s:o}", "items", items, "next_after",
				  count == limit ? json_sprintf("%lld", (long long)last)
						 : json_null()));
}

int api_audit_verify(struct api_call *call, struct http_response *resp)
{
	struct audit_verify_result r;
	struct cv_error err;
	int rc = audit_verify(call->conn, &r, &err);

	if (rc)
		return api_error(resp, rc, &err);
	if (r.broken_seq)
		return api_json(resp, 200,
				json_pack("{s:b, s:I, s:I, s:s}", "intact", 0, "rows",
					  (json_int_t)r.rows, "broken_seq",
					  (json_int_t)r.broken_seq, "reason", r.reason));
	return api_json(resp, 200, json_pack("{s:b, s:I}", "intact", 1, "rows", (json_int_t)r.rows));
}
