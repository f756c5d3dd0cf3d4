/*
 * declarations.c — the single window's declarations: lodge (POST), read one
 * or many (a trader sees its own, an agency those that concern it), amend
 * (a new version), cancel, and the trader's notifications by cursor.
 */
#include "api/api.h"

#include "exchange/advance_cargo.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/ids.h"
#include "exchange/advance_cargo.h"
#include "trade/inspection.h"
#include "trade/lodging.h"
#include "trade/release.h"
#include "trade/webhooks.h"

#include <stdlib.h>
#include <string.h>

#define DECLARATIONS_PAGE_DEFAULT 50
#define DECLARATIONS_PAGE_MAX 500
#define NOTIFICATIONS_PAGE_DEFAULT 100
#define NOTIFICATIONS_PAGE_MAX 1000

/* The result of a write: 422 with every field error, or the error, or the declaration. */
static int answer(struct api_call *call, struct http_response *resp, int rc, json_t *errors,
		  const struct cv_error *err, json_t *out, int status)
{
	static const char *const audited[] = {"number", "version", "lane", NULL};

	return api_write_answer(call, resp, rc, errors, err,
				"the declaration is not valid; nothing was stored", "declaration",
				audited, out, status);
}

int api_declarations_lodge(struct api_call *call, struct http_response *resp)
{
	struct trade_context ctx;
	json_t *errors = json_array(), *out = NULL;
	struct cv_error err;
	int rc;

	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_lodge(call->conn, &ctx, call->principal, call->body, errors, &out, &err);
	return answer(call, resp, rc, errors, &err, out, 201);
}

int api_declarations_amend(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL,
	       *doc = json_object_get(call->body, "declaration");
	const char *reason = api_body_string(call, "reason", 1, 500, errors);
	struct trade_context ctx;
	struct cv_error err;
	int rc;

	if (!json_is_object(doc))
		api_add_error(errors, "declaration", "the amended declaration, whole, is required");
	if (api_refuse_fields(resp, errors, "nothing was changed"))
		return 0;
	errors = json_array();
	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_amend(call->conn, &ctx, call->principal, http_param(call->req, "id"), doc,
			 reason, errors, &out, &err);
	return answer(call, resp, rc, errors, &err, out, 200);
}

int api_declarations_cancel(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL;
	const char *reason = api_body_string(call, "reason", 1, 500, errors);
	struct trade_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "nothing was changed"))
		return 0;
	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_cancel(call->conn, &ctx, call->principal, http_param(call->req, "id"), reason,
			  &out, &err);
	return answer(call, resp, rc, json_array(), &err, out, 200);
}

int api_declarations_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = trade_declaration_get(call->conn, call->principal, http_param(call->req, "id"),
				       &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no declaration with this id or number");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

int api_declarations_list(struct api_call *call, struct http_response *resp)
{
	static const char *const statuses[] =
		{"accepted",          "lane_assigned",    "documents_required",
		 "under_examination", "payment_required", "released",
		 "rejected",          "cancelled",        NULL};
	json_t *errors = json_array(), *items;
	const char *after, *status = api_status_filter(call, statuses, errors);
	int limit = api_paging(call, DECLARATIONS_PAGE_DEFAULT, DECLARATIONS_PAGE_MAX, &after,
			       errors);
	int rc;

	if (*after && !cv_uuid_valid(after))
		api_add_error(errors, "after",
			      "must be the next_after of an earlier page (a declaration's id)");
	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	rc = trade_declarations_list(call->conn, call->principal, status, after, limit, &items);
	return rc ? api_error(resp, rc, NULL) : api_page(resp, items, limit);
}

int api_notifications_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	const char *after;
	int limit = api_paging(call, NOTIFICATIONS_PAGE_DEFAULT, NOTIFICATIONS_PAGE_MAX, &after,
			       errors);
	int64_t cursor = 0, next;
	char *end;
	int rc;

	if (*after) {
		cursor = strtoll(after, &end, 10);
		if (*end || cursor < 0)
			api_add_error(errors, "after",
				      "must be the cursor of an earlier answer (a number)");
	}
	if (api_refuse_fields(resp, errors, "bad cursor"))
		return 0;
	rc = trade_notifications(call->conn, call->principal, cursor, limit, &items, &next);
	if (rc == CV_EPERM)
		return api_problem(resp, 403, "notifications are for traders");
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200,
			json_pack("{s:o, s:s}", "items", items, "next_after",
				  cv_arena_printf(call->req->arena, "%lld", (long long)next)));
}

int api_examinations_pending(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = trade_examinations_pending(call->conn, call->principal, &items);

	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_examinations_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = trade_examination_get(call->conn, http_param(call->req, "id"), &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no examination with this id");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

/* A party's result in a joint examination: customs (border officer) or an agency (its officer). */
int api_examinations_result(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL;
	const char *result = api_body_string(call, "result", 1, 20, errors),
		   *notes = api_body_string(call, "notes", 0, 4000, errors);
	struct trade_context ctx;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "nothing was recorded"))
		return 0;
	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_examination_result(call->conn, &ctx, call->principal,
				      http_param(call->req, "id"), result, notes, &out, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "examination";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "id")));
	call->audit_detail = json_pack("{s:s, s:O}", "result", result, "status",
				       json_object_get(out, "status"));
	return api_json(resp, 200, out);
}

/* The assessment and what stands before release, for whoever may read the declaration. */
static int visible(struct api_call *call, struct http_response *resp)
{
	json_t *d;
	int rc = trade_declaration_get(call->conn, call->principal, http_param(call->req, "id"), &d);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no declaration with this id or number"), 0;
	if (rc)
		return api_error(resp, rc, NULL), 0;
	json_decref(d);
	return 1;
}

int api_declarations_assessment(struct api_call *call, struct http_response *resp)
{
	struct trade_context ctx;
	json_t *out, *unmet;
	int rc;

	if (!visible(call, resp))
		return 0;
	api_trade_context(call, &ctx);
	rc = trade_assessment(call->conn, &ctx, http_param(call->req, "id"), &out);
	if (!rc)
		rc = trade_release_conditions(call->conn, &ctx, http_param(call->req, "id"), &unmet);
	if (rc)
		return api_error(resp, rc, NULL);
	json_object_set_new(out, "release_conditions_unmet", unmet);
	return api_json(resp, 200, out);
}

int api_declarations_payment(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL;
	struct trade_context ctx;
	struct cv_error err;
	int rc;

	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_payment(call->conn, &ctx, call->principal, http_param(call->req, "id"),
			   call->body, errors, &out, &err);
	if (rc == CV_EINVAL && json_array_size(errors))
		return api_refuse_fields(resp, errors, "nothing was recorded");
	json_decref(errors);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "declaration";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "declaration")));
	call->audit_detail = json_deep_copy(call->body);
	return api_json(resp, 201, out);
}

/* Arrival, release and exit: a border officer's steps on the consignment. */
static int step(struct api_call *call, struct http_response *resp,
		int (*fn)(struct store_conn *, const struct trade_context *,
			  const struct auth_principal *, const char *, json_t **, struct cv_error *))
{
	struct trade_context ctx;
	struct cv_error err;
	json_t *out = NULL;
	int rc;

	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = fn(call->conn, &ctx, call->principal, http_param(call->req, "id"), &out, &err);
	return answer(call, resp, rc, json_array(), &err, out, 200);
}

int api_declarations_arrival(struct api_call *call, struct http_response *resp)
{
	return step(call, resp, trade_arrival);
}

int api_declarations_release(struct api_call *call, struct http_response *resp)
{
	struct trade_context ctx;
	struct cv_error err;
	json_t *out = NULL;
	int queued, rc;

	api_trade_context(call, &ctx);
	cv_error_clear(&err);
	rc = trade_release(call->conn, &ctx, call->principal, http_param(call->req, "id"), &out,
			   &err);
	/* An export released: its advance cargo data to the partner of destination, same transaction. */
	if (!rc)
		rc = advance_cargo_announce(call->conn, call->app->node,
					    json_string_value(json_object_get(out, "id")),
					    ctx.now_ms, &queued, &err);
	return answer(call, resp, rc, json_array(), &err, out, 200);
}

int api_declarations_exit(struct api_call *call, struct http_response *resp)
{
	return step(call, resp, trade_exit);
}

int api_webhook_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = trade_webhook_get(call->conn, call->principal, &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no webhook: notifications are pulled only");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

/* Register or replace: the new secret is in this answer only. */
int api_webhook_put(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL;
	const char *url = api_body_string(call, "url", 1, 500, errors);
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "nothing was changed"))
		return 0;
	cv_error_clear(&err);
	rc = trade_webhook_set(call->conn, call->principal, url, &out, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "webhook";
	call->entity_id = cv_arena_strdup(call->req->arena, call->principal->user.operator_id);
	call->audit_detail = json_pack("{s:s}", "url", url); /* never the secret */
	return api_json(resp, 200, out);
}

int api_webhook_delete(struct api_call *call, struct http_response *resp)
{
	int rc = trade_webhook_delete(call->conn, call->principal);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no webhook to remove");
	if (rc)
		return api_error(resp, rc, NULL);
	call->entity_type = "webhook";
	call->entity_id = cv_arena_strdup(call->req->arena, call->principal->user.operator_id);
	return api_json(resp, 200, json_pack("{s:b}", "removed", 1));
}
