/*
 * risk.c — selectivity through the API: profile set versions (draft,
 * activate), watchlists, and POST /api/v1/risk/assess, which decides a
 * declaration's lane with the active profiles without storing anything.
 */
#include "api/api.h"

#include "base/arena.h"
#include "risk/declaration.h"
#include "risk/repository.h"

#include <sodium.h>
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
	unsigned char secret[RISK_SECRET_BYTES];
	struct risk_office_params params;
	struct risk_profile_set *set = NULL;
	struct risk_declaration d;
	struct cv_error err;
	json_t *why = NULL;
	enum risk_lane lane;
	int rc;

	cv_error_clear(&err);
	rc = risk_declaration_from_json(json_object_get(call->body, "declaration"),
					call->req->arena, &d, &err);
	if (rc)
		return api_error(resp, rc, &err);
	rc = risk_profiles_active(call->conn, &set, &err);
	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 409, err.message);
	if (!rc)
		rc = risk_office_params_load(call->conn, d.items[0].text[RISK_OFFICE], &params);
	if (!rc)
		rc = risk_node_secret(call->conn, secret);
	if (rc) {
		risk_profile_set_free(set);
		return api_error(resp, rc, &err);
	}
	lane = risk_decide(set, &params, &d, secret, sizeof(secret), risk_watchlist_contains,
			   call->conn, &why);
	sodium_memzero(secret, sizeof(secret));
	risk_profile_set_free(set);
	return api_json(resp, 200,
			json_pack("{s:s, s:s, s:o}", "declaration", d.id, "lane",
				  risk_lane_name(lane), "explanation", why));
}
