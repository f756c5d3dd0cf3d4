/* requirements.c — see requirements.h. */
#include "trade/requirements.h"

static json_t *agencies_of(struct store_conn *conn, const char *authority)
{
	struct store_stmt *stmt;
	json_t *list = json_array();
	int rc = store_prepare(conn,
			       "SELECT code, name FROM agencies"
			       " WHERE (',' || authorities || ',') LIKE ('%,' || $1 || ',%') ORDER BY code",
			       &stmt);

	if (rc)
		return list;
	rc = store_bindf(stmt, "t", authority);
	while (!rc && store_step(stmt) == STORE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:s}", "code", store_col_text(stmt, 0),
						      "name", store_col_text(stmt, 1)));
	store_finish(stmt);
	return list;
}

int trade_requirements_for(struct store_conn *conn, const char *hs, const char *direction,
			   const char *origin, json_t **out)
{
	struct store_stmt *stmt;
	json_t *found = json_array();
	size_t i;
	json_t *r;
	int rc = store_prepare(conn,
			       "SELECT r.id, r.name, r.lpco_type, r.authority, r.inspection, r.legal_basis,"
			       " r.hs_from, r.hs_to FROM regulatory_requirements r"
			       " WHERE " TRADE_REQUIREMENT_APPLIES("$1", "$2",
								   "$3") " ORDER BY r.hs_from, r.id",
			       &stmt);

	*out = NULL;
	if (rc) {
		json_decref(found);
		return rc;
	}
	rc = store_bindf(stmt, "ttt", hs, direction, origin ? origin : "");
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		json_array_append_new(found, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
						       "id", store_col_text(stmt, 0), "name",
						       store_col_text(stmt, 1), "lpco_type",
						       store_col_text(stmt, 2), "authority",
						       store_col_text(stmt, 3), "inspection",
						       (int)store_col_int64(stmt, 4), "legal_basis",
						       store_col_text(stmt, 5), "hs_from",
						       store_col_text(stmt, 6), "hs_to",
						       store_col_text(stmt, 7)));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(found);
		return rc;
	}
	/* Who issues each, on this node (after the scan: one statement at a time per query). */
	json_array_foreach(found, i, r) {
		json_object_set_new(r, "agencies",
				    agencies_of(conn,
						json_string_value(json_object_get(r, "authority"))));
	}
	*out = found;
	return CV_OK;
}
