/* users.c — user accounts for administrators: list, create, read, issue API tokens. */
#include "api/api.h"

#include "base/mem.h"

#include <string.h>

#define USERS_PAGE_DEFAULT 50
#define USERS_PAGE_MAX 200
#define TOKEN_LABEL_MAX 100

json_t *api_user_json(const struct auth_user *u)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s}", "id", u->id, "username", u->username,
			      "role", auth_role_name(u->role), "disabled", u->disabled,
			      "created_at", u->created_at);

	if (o && u->operator_id[0])
		json_object_set_new(o, "operator_id", json_string(u->operator_id));
	if (o && u->agency_code[0])
		json_object_set_new(o, "agency_code", json_string(u->agency_code));
	return o;
}

int api_users_list(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array(), *items;
	struct auth_user *users;
	const char *after;
	int limit = api_paging(call, USERS_PAGE_DEFAULT, USERS_PAGE_MAX, &after, errors);
	int count, rc;

	if (api_refuse_fields(resp, errors, "bad paging parameters"))
		return 0;
	users = cv_calloc((size_t)limit, sizeof(*users));
	if (!users)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = auth_user_list(call->conn, after, limit, users, &count);
	if (rc) {
		cv_free(users);
		return api_error(resp, rc, NULL);
	}
	items = json_array();
	for (int i = 0; i < count; i++)
		json_array_append_new(items, api_user_json(&users[i]));
	rc = api_json(resp, 200,
		      json_pack("{s:o, s:s?}", "items", items, "next_after",
				count == limit ? users[count - 1].username : NULL));
	cv_free(users);
	return rc;
}

int api_users_create(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array();
	struct auth_user_new nu = {0};
	const char *role = api_body_string(call, "role", 1, 32, errors);
	char hash[AUTH_HASH_MAX];
	struct auth_user user;
	struct cv_error err;
	int rc;

	nu.username = api_body_string(call, "username", 1, AUTH_USERNAME_MAX, errors);
	nu.password = api_body_string(call, "password", 1, AUTH_PASSWORD_MAX, errors);
	nu.operator_id = api_body_string(call, "operator_id", 0, 64, errors);
	nu.agency_code = api_body_string(call, "agency_code", 0, AUTH_AGENCY_MAX, errors);
	if (role && auth_role_parse(role, &nu.role))
		json_array_append_new(errors,
				      json_pack("{s:s, s:s}", "field", "role", "message",
						"must be one of: trader, aeo_officer, risk_analyst, "
						"border_officer, pga_officer, partner, admin, auditor"));
	if (nu.password && auth_password_validate(nu.password, &err))
		json_array_append_new(errors, json_pack("{s:s, s:s}", "field", "password",
							"message", err.message));
	if (api_refuse_fields(resp, errors, "the user cannot be created as sent"))
		return 0;

	cv_error_clear(&err);
	rc = auth_password_hash(nu.password, hash, &err);
	if (!rc)
		rc = auth_user_create(call->conn, &nu, hash, &user, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "user";
	call->entity_id = cv_arena_strdup(call->req->arena, user.id);
	call->audit_detail = json_pack("{s:s, s:s}", "username", user.username, "role",
				       auth_role_name(user.role));
	http_response_header(resp, "Location",
			     cv_arena_printf(call->req->arena, "/api/v1/users/%s", user.id));
	return api_json(resp, 201, api_user_json(&user));
}

int api_users_get(struct api_call *call, struct http_response *resp)
{
	struct auth_user user;
	int rc = auth_user_find(call->conn, http_param(call->req, "id"), &user);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no user with this id or username");
	if (rc)
		return api_error(resp, rc, NULL);
	return api_json(resp, 200, api_user_json(&user));
}

int api_users_token_create(struct api_call *call, struct http_response *resp)
{
	json_t *errors = json_array();
	const char *label = api_body_string(call, "label", 1, TOKEN_LABEL_MAX, errors);
	char token[AUTH_TOKEN_STR], id[CV_UUID_STR];
	struct auth_user user;
	struct cv_error err;
	int rc;

	if (api_refuse_fields(resp, errors, "a token needs a label saying what it is for"))
		return 0;
	rc = auth_user_find(call->conn, http_param(call->req, "id"), &user);
	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no user with this id or username");
	if (!rc)
		rc = auth_token_create(call->conn, user.id, label, token, id, &err);
	if (rc)
		return api_error(resp, rc, &err);
	call->entity_type = "api_token";
	call->entity_id = cv_arena_strdup(call->req->arena, id);
	call->audit_detail = json_pack("{s:s, s:s}", "user", user.username, "label", label);
	return api_json(resp, 201,
			json_pack("{s:s, s:s, s:s, s:s}", "id", id, "user_id", user.id, "label",
				  label, "token", token));
}
