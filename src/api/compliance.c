/*
 * compliance.c — the compliance ledger and scoresheet:
 * GET/POST /api/v1/operators/{id}/compliance-events,
 * GET /api/v1/operators/{id}/scoresheet, GET /api/v1/aeo/candidates.
 *
 * A trader reads its own scoresheet and events (others are 404); PGAs read
 * any operator's (customs-PGA sharing of AEO data).
 */
#include "api/api.h"

#include "aeo/operators.h"
#include "aeo/scoresheet.h"
#include "base/mem.h"

#include <stdio.h>
#include <string.h>

#define EVENTS_PAGE_DEFAULT 50
#define EVENTS_PAGE_MAX 500
#define CANDIDATES_DEFAULT 50
#define CANDIDATES_MAX 500

/* The operator named in the path, if the caller may see it; else 404 is answered. */
static int visible_operator(struct api_call *call, struct http_response *resp, char id[CV_UUID_STR])
{
	struct aeo_operator *op = cv_malloc(sizeof(*op));
	int rc;

	if (!op)
		return api_error(resp, CV_ENOMEM, NULL), 1;
	rc = aeo_operator_get(call->conn, http_param(call->req, "id"), op);
	if (rc == CV_OK && aeo_operator_visible(call->principal, op->id)) {
		snprintf(id, CV_UUID_STR, "%s", op->id);
		cv_free(op);
		return 0;
	}
	cv_free(op);
	if (rc && rc != CV_ENOTFOUND)
		return api_error(resp, rc, NULL), 1;
	return api_problem(resp, 404, "no such operator"), 1;
}

int api_compliance_event_add(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array();
	struct aeo_compliance_event e = {
		.kind = api_body_string(call, "kind", 1, 32, errors),
		.outcome = api_body_string(call, "outcome", 0, 16, errors),
		.days_late = (int)api_body_int(call, "days_late", 0, 0, 3650, 0, errors),
		.occurred_on = api_body_string(call, "occurred_on", 1, 10, errors),
		.reference = api_body_string(call, "reference", 0, 100, errors),
		.notes = api_body_string(call, "notes", 0, 2000, errors),
	};
	const char *source = api_body_string(call, "source", 0, 32, errors);
	char operator_id[CV_UUID_STR], id[CV_UUID_STR];
	struct aeo_context ctx;
	struct cv_error err;
	json_t *sheet = NULL;
	int rc;

	if (api_refuse_fields(resp, errors, "the event cannot be recorded as sent"))
		return 0;
	if (source && strcmp(source, "api") && strcmp(source, "import"))
		return api_problem_fields(resp, "the event cannot be recorded as sent",
					  json_pack("[{s:s, s:s}]", "field", "source", "message",
						    "must be api or import (other sources are caravan's own modules)"));
	if (call->principal->user.role == ROLE_PGA_OFFICER && strcmp(e.kind, "pga_finding") != 0)
		return api_problem(resp, 403,
				   "a partner agency records its own findings (kind pga_finding) only");
	if (visible_operator(call, resp, operator_id))
		return 0;
	e.source = source ? source : "api";
	api_aeo_context(call, &ctx);
	cv_error_clear(&err);
	rc = aeo_compliance_event_add(call->conn, &ctx, call->principal->user.username, operator_id,
				      &e, id, &err);
	if (!rc)
		rc = aeo_scoresheet_json(call->conn, operator_id, &sheet);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "compliance_event";
	call->entity_id = cv_arena_strdup(call->req->arena, id);
	call->audit_detail = json_deep_copy(call->body);
	json_object_set_new(call->audit_detail, "operator_id", json_string(operator_id));
	return api_json(resp, 201,
			json_pack("{s:s, s:s, s:o}", "id", id, "operator_id", operator_id,
				  "scoresheet", sheet));
}

int api_compliance_events_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *after;
	int limit = api_paging(call, EVENTS_PAGE_DEFAULT, EVENTS_PAGE_MAX, &after, errors);
	char operator_id[CV_UUID_STR], last[CV_UUID_STR] = "";
	struct store_stmt *stmt;
	int count = 0, rc;

	if (api_refuse_fields(resp, errors, "bad paging parameters"))
		return 0;
	if (visible_operator(call, resp, operator_id))
		return 0;
	/* Newest first: ids are UUIDv7, so "after" pages backwards in time. */
	rc = store_prepare(call->conn,
			   "SELECT id, kind, outcome, days_late, occurred_on, source, reference, notes,"
			   " recorded_by, created_at FROM compliance_events WHERE operator_id = $1"
			   " AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3",
			   &stmt);
	if (rc)
		return api_error(resp, rc, NULL);
	items = json_array();
	rc = store_bindf(stmt, "tti", operator_id, after, (int64_t)limit);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		snprintf(last, sizeof(last), "%s", store_col_text(stmt, 0));
		json_array_append_new(items,
				      json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s}",
						"id", last, "kind", store_col_text(stmt, 1),
						"outcome", store_col_text(stmt, 2), "days_late",
						(json_int_t)store_col_int64(stmt, 3), "occurred_on",
						store_col_text(stmt, 4), "source",
						store_col_text(stmt, 5), "reference",
						store_col_text(stmt, 6), "notes",
						store_col_text(stmt, 7), "recorded_by",
						store_col_text(stmt, 8), "created_at",
						store_col_text(stmt, 9)));
		count++;
		rc = CV_OK;
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(items);
		return api_error(resp, rc, NULL);
	}
	return api_json(resp, 200,
			json_pack("{s:o, s:s?}", "items", items, "next_after",
				  count == limit ? last : NULL));
}

int api_scoresheet_get(struct api_call *call, struct http_response *resp)
{
	char operator_id[CV_UUID_STR];
	json_t *sheet;
	int rc;

	if (visible_operator(call, resp, operator_id))
		return 0;
	rc = aeo_scoresheet_json(call->conn, operator_id, &sheet);
	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404,
				   "this operator has not been scored yet: it has no compliance "
				   "events, and no full rescoring has run (caravan compliance recompute)");
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200, sheet);
}

int api_aeo_candidates(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *after;
	int limit = api_paging(call, CANDIDATES_DEFAULT, CANDIDATES_MAX, &after, errors);
	int rc;

	if (api_refuse_fields(resp, errors, "bad parameters"))
		return 0;
	rc = aeo_candidates_json(call->conn, limit, &items);
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200, json_pack("{s:o}", "items", items));
}
