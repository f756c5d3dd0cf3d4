/*
 * risk.c — selectivity through the API: profile set versions (draft,
 * projected hits, activate, deactivate), watchlists, office parameters,
 * statistics, POST /api/v1/risk/assess (a lane for a declaration JSON,
 * nothing stored), and on stored declarations: the decision (read, decide
 * again) and examination results.
 */
#include "api/api.h"

#include "aeo/applications.h"
#include "base/arena.h"
#include "base/clock.h"
#include "risk/assess.h"
#include "risk/declaration.h"
#include "risk/examination.h"
#include "risk/repository.h"
#include "risk/statistics.h"
#include "risk/training.h"

#include <string.h>

#define PROFILE_SOURCE_MAX (4 * 1024 * 1024)

int api_risk_profiles_list(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = risk_profiles_list(call->conn, &items);

	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_risk_profiles_add(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL;
	const char *source = api_body_string(call, "source", 1, PROFILE_SOURCE_MAX, errors);
	struct risk_compile_error cerr;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "the profiles are sent as text in \"source\""))
		return 0;
	cv_error_clear(&err);
	rc = risk_profiles_add_draft(call->conn, call->principal->user.username, source, &cerr,
				     &out, &err);
	if (rc == CV_EINVAL)
		/* The position goes with the error, so that an editor can jump to it. */
		return api_problem_fields(resp, "the profiles do not compile; nothing was stored",
					  json_pack("[{s:s, s:s, s:i, s:i}]", "field", "source",
						    "message", cerr.message, "line", cerr.line,
						    "column", cerr.column));
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "risk_profile_set";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "id")));
	call->audit_detail = json_pack("{s:O, s:O}", "version", json_object_get(out, "version"),
				       "profiles", json_object_get(out, "profiles"));
	return api_json(resp, 201, out);
}

int api_risk_profiles_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = risk_profiles_get(call->conn, http_param(call->req, "id"), &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no profile set with this id or version");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

int api_risk_profiles_activate(struct api_call *call, struct http_response *resp)
{
	struct cv_error err;
	json_t *out;
	int rc;

	cv_error_clear(&err);
	rc = risk_profiles_activate(call->conn, call->principal->user.username,
				    http_param(call->req, "id"), &out, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "risk_profile_set";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "id")));
	call->audit_detail = json_pack("{s:O}", "version", json_object_get(out, "version"));
	return api_json(resp, 200, out);
}

int api_risk_watchlist_get(struct api_call *call, struct http_response *resp)
{
	json_t *values;
	int rc = risk_watchlist_get(call->conn, http_param(call->req, "name"), &values);

	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200,
			     json_pack("{s:s, s:o}", "name", http_param(call->req, "name"),
				       "values", values));
}

int api_risk_watchlist_add(struct api_call *call, struct http_response *resp)
{
	struct cv_error err;
	size_t added;
	int rc;

	cv_error_clear(&err);
	rc = risk_watchlist_add(call->conn, call->principal->user.username,
				http_param(call->req, "name"),
				json_object_get(call->body, "values"), &added, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "risk_watchlist";
	call->entity_id = cv_arena_strdup(call->req->arena, http_param(call->req, "name"));
	call->audit_detail = json_pack("{s:I}", "added", (json_int_t)added);
	return api_json(resp, 200,
			json_pack("{s:s, s:I}", "name", http_param(call->req, "name"), "added",
				  (json_int_t)added));
}

int api_risk_assess(struct api_call *call, struct http_response *resp)
{
	struct risk_assessor *a = NULL;
	struct risk_declaration d;
	struct cv_error err;
	json_t *why = NULL;
	enum risk_lane lane;
	int rc;

	cv_error_clear(&err);
	rc = risk_declaration_from_json(json_object_get(call->body, "declaration"),
					call->req->arena, &d, &err);
	if (!rc)
		rc = risk_assessor_open(call->conn, &a, &err);
	if (!rc)
		rc = risk_assess_declaration(a, call->conn, &d, call->req->arena, &lane, &why);
	risk_assessor_free(a);
	if (rc)
		return api_error(resp, rc, &err);
	return api_json(resp, 200,
			json_pack("{s:s, s:s, s:o}", "declaration", d.id, "lane",
				  risk_lane_name(lane), "explanation", why));
}

int api_risk_profiles_deactivate(struct api_call *call, struct http_response *resp)
{
	struct cv_error err;
	json_t *out;
	int rc;

	cv_error_clear(&err);
	rc = risk_profiles_deactivate(call->conn, call->principal->user.username,
				      http_param(call->req, "id"), &out, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "risk_profile_set";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "id")));
	call->audit_detail = json_pack("{s:O}", "version", json_object_get(out, "version"));
	return api_json(resp, 200, out);
}

/* What a version (usually a draft) would hit over the last N days, before it is activated. */
int api_risk_profiles_projection(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *version = NULL, *out = NULL;
	long days = api_body_int(call, "days", 0, 1, RISK_PROJECTION_MAX_DAYS, 30, errors);
	long sample = api_body_int(call, "sample", 0, 0, RISK_PROJECTION_MAX_SAMPLE, 20, errors);
	struct risk_profile_set *set = NULL;
	struct risk_compile_error cerr;
	char today[CV_DATE_MAX];
	struct cv_error err;
	const char *source;
	int rc;

	if (api_refuse_fields(resp, errors, "nothing was computed"))
		return 0;
	rc = risk_profiles_get(call->conn, http_param(call->req, "id"), &version);
	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no profile set with this id or version");
	if (rc)
		return api_error(resp, rc, NULL);
	source = json_string_value(json_object_get(version, "source"));
	rc = risk_compile(source, strlen(source), &set, &cerr);
	json_decref(version);
	if (rc)
		return api_error(resp, rc == CV_EINVAL ? CV_EINTERNAL : rc, NULL);
	cv_error_clear(&err);
	cv_date_from_ms(cv_clock_now_ms(), today);
	rc = risk_project(call->conn, set, today, (int)days, (int)sample, &out, &err);
	risk_profile_set_free(set);
	return rc ? api_error(resp, rc, &err) : api_json(resp, 200, out);
}

int api_risk_offices_list(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = risk_office_params_list(call->conn, &items);

	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_risk_office_get(struct api_call *call, struct http_response *resp)
{
	const char *office = http_param(call->req, "office");
	struct risk_office_params params;
	int rc;

	if (!risk_office_code_valid(office))
		return api_problem(resp, 404, "not an office code");
	rc = risk_office_params_load(call->conn, office, &params);
	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200,
			     risk_office_params_json(office, &params,
						     !risk_office_params_own(call->conn, office)));
}

/* Change some parameters of an office; the others keep their current (or inherited) values. */
int api_risk_office_put(struct api_call *call, struct http_response *resp)
{
	const char *office = http_param(call->req, "office");
	struct risk_office_params params;
	json_t *errors;
	int rc;

	if (!risk_office_code_valid(office))
		return api_problem(resp, 404, "not an office code");
	rc = risk_office_params_load(call->conn, office, &params);
	if (rc)
		return api_error(resp, rc, NULL);
	errors = json_array();
	risk_office_params_merge(call->body, &params, errors);
	if (api_refuse_fields(resp, errors, "nothing was changed"))
		return 0;
	rc = risk_office_params_save(call->conn, office, &params);
	if (rc)
		return api_error(resp, rc, NULL);
	call->entity_type = "risk_office_params";
	call->entity_id = cv_arena_strdup(call->req->arena, office);
	call->audit_detail = json_deep_copy(call->body);
	return api_json(resp, 200, risk_office_params_json(office, &params, 0));
}

int api_risk_statistics(struct api_call *call, struct http_response *resp)
{
	const char *from = http_query(call->req, "from"), *to = http_query(call->req, "to"),
		   *office = http_query(call->req, "office");
	char today[CV_DATE_MAX], month_ago[CV_DATE_MAX];
	struct cv_error err;
	json_t *out;
	int rc;

	/* Default: the last 30 days. */
	cv_date_from_ms(cv_clock_now_ms(), today);
	cv_date_add_days(today, -29, month_ago);
	cv_error_clear(&err);
	rc = risk_statistics(call->conn, from ? from : month_ago, to ? to : today,
			     office ? office : "", &out, &err);
	return rc ? api_error(resp, rc, &err) : api_json(resp, 200, out);
}

int api_declaration_risk_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = risk_decision_get(call->conn, http_param(call->req, "id"), &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404,
				   "no declaration with this id or number, or no decision on it yet");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

/* Decide the lane again (after new profiles, a model, or an amendment); the old decision is kept, superseded. */
int api_declaration_risk_assess(struct api_call *call, struct http_response *resp)
{
	struct risk_assessor *a;
	struct cv_error err;
	json_t *out = NULL;
	int rc;

	cv_error_clear(&err);
	rc = risk_assessor_open(call->conn, &a, &err);
	if (!rc) {
		rc = risk_assess_stored(a, call->conn, http_param(call->req, "id"), NULL, &out,
					&err);
		risk_assessor_free(a);
	}
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "declaration";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "declaration")));
	call->audit_detail = json_pack("{s:O, s:O}", "decision", json_object_get(out, "id"), "lane",
				       json_object_get(out, "lane"));
	return api_json(resp, 201, out);
}

int api_declaration_examinations_list(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = risk_examinations_list(call->conn, http_param(call->req, "id"), &items);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no declaration with this id or number");
	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_declaration_examination_add(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *out = NULL;
	struct risk_examination ex = {
		.kind = api_body_string(call, "kind", 1, 20, errors),
		.reason = api_body_string(call, "reason", 1, 20, errors),
		.result = api_body_string(call, "result", 1, 20, errors),
		.notes = api_body_string(call, "notes", 0, 4000, errors),
		.examined_on = api_body_string(call, "examined_on", 0, 10, errors),
	};
	struct aeo_context ctx;
	char today[CV_DATE_MAX];
	struct cv_error err;
	int rc;

	api_aeo_context(call, &ctx);
	cv_date_from_ms(ctx.now_ms, today);
	/* Each bad member named at once (a missing one was named above already). */
	if (!json_array_size(errors))
		risk_examination_check(&ex, today, errors);
	if (api_refuse_fields(resp, errors, "nothing was recorded"))
		return 0;
	cv_error_clear(&err);
	rc = risk_examination_record(call->conn, &ctx, call->principal->user.username,
				     http_param(call->req, "id"), &ex, &out, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "examination";
	call->entity_id = cv_arena_strdup(call->req->arena,
					  json_string_value(json_object_get(out, "id")));
	call->audit_detail = json_pack("{s:O, s:O}", "declaration",
				       json_object_get(out, "declaration"), "result",
				       json_object_get(out, "result"));
	return api_json(resp, 201, out);
}

int api_risk_models_list(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = risk_models_list(call->conn, &items);

	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_risk_watchlists_list(struct api_call *call, struct http_response *resp)
{
	json_t *items;
	int rc = risk_watchlists_list(call->conn, &items);

	return rc ? api_error(resp, rc, NULL)
		  : api_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_risk_watchlist_remove(struct api_call *call, struct http_response *resp)
{
	const char *name = http_param(call->req, "name"), *value = http_param(call->req, "value");
	int rc = risk_watchlist_remove(call->conn, name, value);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "this value is not on this watchlist");
	if (rc)
		return api_error(resp, rc, NULL);
	call->entity_type = "risk_watchlist";
	call->entity_id = cv_arena_strdup(call->req->arena, name);
	call->audit_detail = json_pack("{s:s}", "removed", value);
	return api_json(resp, 200, json_pack("{s:s, s:s}", "name", name, "removed", value));
}

/* A whole list as CSV (first column; ?replace=true makes it the whole list). */
int api_risk_watchlist_csv(struct api_call *call, struct http_response *resp)
{
	const char *name = http_param(call->req, "name"),
		   *type = http_header(call->req, "Content-Type"),
		   *replace = http_query(call->req, "replace");
	size_t added, removed;
	struct cv_error err;
	char *data;
	int rc;

	if (!type || strncmp(type, "text/csv", 8) != 0)
		return api_problem(resp, 415, "send the list as text/csv, one value per line");
	if (replace && strcmp(replace, "true") && strcmp(replace, "false"))
		return api_problem_fields(resp, "bad parameters",
					  json_pack("[{s:s, s:s}]", "field", "replace", "message",
						    "must be true or false"));
	data = cv_arena_strndup(call->req->arena, call->req->body, call->req->body_len);
	if (!data)
		return api_error(resp, CV_ENOMEM, NULL);
	cv_error_clear(&err);
	rc = risk_watchlist_load_csv(call->conn, call->principal->user.username, name, data,
				     call->req->body_len, replace && !strcmp(replace, "true"),
				     &added, &removed, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "risk_watchlist";
	call->entity_id = cv_arena_strdup(call->req->arena, name);
	call->audit_detail = json_pack("{s:I, s:I}", "added", (json_int_t)added, "removed",
				       (json_int_t)removed);
	return api_json(resp, 200,
			json_pack("{s:s, s:I, s:I}", "name", name, "added", (json_int_t)added,
				  "removed", (json_int_t)removed));
}
