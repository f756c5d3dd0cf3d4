/*
 * auth.c — signing in and out: POST /api/v1/auth/login, POST /api/v1/auth/logout,
 * GET /api/v1/auth/me.
 *
 * Login is not an API_WRITE route: checking a password with argon2id takes
 * about a tenth of a second, and doing it inside the write transaction would
 * hold the database's write lock for all that time. So login reads, checks
 * the password with no transaction open, and only then writes (session or
 * failure count, and the audit row) in one short transaction.
 */
#include "api/api.h"

#include "audit/audit.h"
#include "base/log.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define SESSION_COOKIE "caravan_session"

/*
 * For an unknown username we still verify against a real hash, so that the
 * response time does not tell which usernames exist.
 */
static char dummy_hash[AUTH_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
	if (auth_password_hash("not-a-password-of-anyone", dummy_hash, NULL))
		dummy_hash[0] = '\0';
}

static int audit_login(struct api_call *call, const char *action, const char *username,
		       const char *user_id)
{
	char *detail = NULL;
	json_t *d = json_pack("{s:s}", "address", call->req->address);
	struct audit_event ev = {.actor = username,
				 .action = action,
				 .entity_type = "user",
				 .entity_id = user_id};
	int rc;

	if (d)
		detail = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	ev.detail = detail;
	rc = audit_append(call->conn, &ev, NULL, NULL);
	free(detail);
	return rc;
}

static int throttled(struct api_call *call, struct http_response *resp, const char *user_subject,
		     const char *addr_subject, const struct auth_throttle *policy)
{
	int wait_user = 0, wait_addr = 0, wait;
	char *retry;

	auth_throttle_check(call->conn, user_subject, policy, &wait_user);
	auth_throttle_check(call->conn, addr_subject, policy, &wait_addr);
	wait = wait_user > wait_addr ? wait_user : wait_addr;
	if (!wait)
		return 0;
	retry = cv_arena_printf(call->req->arena, "%d", wait);
	http_response_header(resp, "Retry-After", retry);
	api_problem(resp, 429,
		    cv_arena_printf(call->req->arena,
				    "too many failed logins; try again in %d seconds", wait));
	return 1;
}

static int record_failure(struct api_call *call, const char *username, const char *user_subject,
			  const char *addr_subject, const struct auth_throttle *policy)
{
	int rc = store_begin(call->conn);

	if (!rc)
		rc = auth_throttle_fail(call->conn, user_subject, policy);
	if (!rc)
		rc = auth_throttle_fail(call->conn, addr_subject, policy);
	if (!rc)
		rc = audit_login(call, "auth.login_failed", username, "");
	if (!rc)
		rc = store_commit(call->conn);
	else
		store_rollback(call->conn);
	return rc;
}

static int set_session_cookie(struct api_call *call, struct http_response *resp, const char *token,
			      int max_age)
{
	const char *secure = call->app->config->tls_cert[0] ? "; Secure" : "";
	char *cookie = cv_arena_printf(call->req->arena,
				       SESSION_COOKIE
				       "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
				       token, max_age, secure);

	return cookie ? http_response_header(resp, "Set-Cookie", cookie) : CV_ENOMEM;
}

int api_auth_login(struct api_call *call, struct http_response *resp)
{
	const struct cv_config *c = call->app->config;
	struct auth_throttle policy = {c->login_max_failures, c->login_window_minutes};
	json_t *errors = json_array();
	const char *username = api_body_string(call, "username", 1, AUTH_USERNAME_MAX + 64, errors);
	const char *password = api_body_string(call, "password", 1, AUTH_PASSWORD_MAX, errors);
	char hash[AUTH_HASH_MAX], token[CV_SECRET_STR], csrf[CV_SECRET_STR], expires[CV_RFC3339_MAX];
	const char *user_subject, *addr_subject;
	struct auth_user user;
	struct cv_error err;
	json_t *body;
	int found, ok, rc;

	if (api_refuse_fields(resp, errors, "username and password are required"))
		return 0;
	user_subject = cv_arena_printf(call->req->arena, "user:%s", username);
	addr_subject = cv_arena_printf(call->req->arena, "addr:%s", call->req->address);
	if (throttled(call, resp, user_subject, addr_subject, &policy))
		return 0;

	found = auth_user_password_hash(call->conn, username, &user, hash) == CV_OK;
	if (!found) {
		pthread_once(&dummy_once, make_dummy_hash);
		snprintf(hash, sizeof(hash), "%s", dummy_hash);
	}
	ok = auth_password_matches(hash, password) && found;
	sodium_memzero(hash, sizeof(hash));
	if (!ok) {
		rc = record_failure(call, username, user_subject, addr_subject, &policy);
		if (rc)
			return api_error(resp, rc, NULL);
		http_response_header(resp, "WWW-Authenticate", "Bearer realm=\"caravan\"");
		return api_problem(resp, 401, "wrong username or password");
	}

	rc = store_begin(call->conn);
	if (!rc)
		rc = auth_throttle_clear(call->conn, user_subject);
	if (!rc)
		rc = auth_session_create(call->conn, user.id, c->session_hours, token, csrf, &err);
	if (!rc)
		rc = audit_login(call, "auth.login", user.username, user.id);
	if (!rc)
		rc = store_commit(call->conn);
	else
		store_rollback(call->conn);
	if (rc)
		return api_error(resp, rc, NULL);

	set_session_cookie(call, resp, token, c->session_hours * 3600);
	cv_clock_format_rfc3339(cv_clock_now_ms() + (int64_t)c->session_hours * 3600 * 1000,
				expires, sizeof(expires));
	body = json_pack("{s:o, s:s, s:s}", "user", api_user_json(&user), "csrf_token", csrf,
			 "expires_at", expires);
	sodium_memzero(token, sizeof(token));
	return api_json(resp, 200, body);
}

int api_auth_logout(struct api_call *call, struct http_response *resp)
{
	const char *cookie = http_cookie(call->req, SESSION_COOKIE);

	call->entity_type = "user";
	call->entity_id = call->principal->user.id;
	if (cookie && call->principal->via_session) {
		int rc = auth_session_delete(call->conn, cookie);
		if (rc)
			return api_error(resp, rc, NULL);
	}
	set_session_cookie(call, resp, "", 0);
	/* A bearer token is not a session: revoking it is an administrator's act. */
	return api_json(resp, 200, json_pack("{s:b}", "signed_out", call->principal->via_session));
}

int api_auth_me(struct api_call *call, struct http_response *resp)
{
	json_t *body = json_pack("{s:o, s:s}", "user", api_user_json(&call->principal->user), "via",
				 call->principal->via_session ? "session" : "token");

	if (body && call->principal->via_session)
		json_object_set_new(body, "csrf_token", json_string(call->principal->csrf_token));
	return api_json(resp, 200, body);
}
