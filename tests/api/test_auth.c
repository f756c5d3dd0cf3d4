/*
 * test_auth.c — signing in, sessions and CSRF, bearer tokens, the 401/403
 * matrix, and the slowing of failed logins.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;
static const char *const json_headers[] = {"Content-Type: application/json", NULL};

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(auth, .init = start, .fini = stop, .timeout = 120);

static long status_of(const char *method, const char *path, const char *const *headers,
		      const char *body)
{
	struct test_response r;
	long status;

	test_http(&srv, method, path, headers, body, &r);
	status = r.status;
	test_response_free(&r);
	return status;
}

Test(auth, every_demo_role_can_sign_in_and_see_itself)
{
	const char *users[] = {"admin",       "aeo.officer", "risk.analyst", "border.officer",
			       "pga.officer", "trader",      "partner.uz",   "auditor"};
	const char *roles[] = {"admin",       "aeo_officer", "risk_analyst", "border_officer",
			       "pga_officer", "trader",      "partner",      "auditor"};

	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct test_session s;
		struct test_response r;
		const char *h[2];

		test_login(&srv, users[i], &s);
		h[0] = s.cookie;
		h[1] = NULL;
		test_http(&srv, "GET", "/api/v1/auth/me", h, NULL, &r);
		cr_assert_eq(r.status, 200, "%s: %s", users[i], r.body);
		cr_assert_str_eq(json_string_value(
					 json_object_get(json_object_get(r.json, "user"), "role")),
				 roles[i]);
		test_response_free(&r);
	}
}

Test(auth, session_cookie_is_httponly_and_samesite_strict)
{
	struct test_response r;
	char *cookie;

	test_http(&srv, "POST", "/api/v1/auth/login", json_headers,
		  "{\"username\":\"admin\",\"password\":\"admin-demo-2026\"}", &r);
	cr_assert_eq(r.status, 200);
	cookie = test_header(&r, "Set-Cookie");
	cr_assert(strstr(cookie, "HttpOnly"), "%s", cookie);
	cr_assert(strstr(cookie, "SameSite=Strict"), "%s", cookie);
	cr_assert(json_is_string(json_object_get(r.json, "csrf_token")));
	free(cookie);
	test_response_free(&r);
}

Test(auth, wrong_password_is_401_and_is_audited)
{
	struct test_response r;
	const char *auditor[] = {test_bearer("auditor"), NULL};

	test_http(&srv, "POST", "/api/v1/auth/login", json_headers,
		  "{\"username\":\"admin\",\"password\":\"not-the-password\"}", &r);
	cr_assert_eq(r.status, 401);
	cr_assert_null(test_header(&r, "Set-Cookie"));
	test_response_free(&r);
	test_http(&srv, "GET", "/api/v1/audit?limit=1000", auditor, NULL, &r);
	cr_assert(strstr(r.body, "auth.login_failed"), "%s", r.body);
	test_response_free(&r);
}

Test(auth, unknown_user_gets_the_same_answer_as_a_wrong_password)
{
	struct test_response a, b;

	test_http(&srv, "POST", "/api/v1/auth/login", json_headers,
		  "{\"username\":\"admin\",\"password\":\"not-the-password\"}", &a);
	test_http(&srv, "POST", "/api/v1/auth/login", json_headers,
		  "{\"username\":\"nobody-here\",\"password\":\"not-the-password\"}", &b);
	cr_assert_eq(a.status, 401);
	cr_assert_str_eq(a.body, b.body);
	test_response_free(&a);
	test_response_free(&b);
}

Test(auth, login_garbage_is_rejected_with_a_problem)
{
	cr_assert_eq(status_of("POST", "/api/v1/auth/login", json_headers, "{\"username\": 12}"),
		     422);
	cr_assert_eq(status_of("POST", "/api/v1/auth/login", json_headers, "not json"), 400);
	cr_assert_eq(status_of("POST", "/api/v1/auth/login", json_headers, ""), 400);
	cr_assert_eq(status_of("POST", "/api/v1/auth/login", json_headers,
			       "{\"username\":\"a\\u0000b\",\"password\":\"x\"}"),
		     400);
}

Test(auth, write_with_a_session_needs_the_csrf_token)
{
	struct test_session s;
	const char *body =
		"{\"username\":\"new.user\",\"password\":\"long-enough-pass\",\"role\":\"auditor\"}";

	test_login(&srv, "admin", &s);
	{
		const char *without[] = {"Content-Type: application/json", s.cookie, NULL};
		const char *wrong[] = {"Content-Type: application/json", s.cookie,
				       "X-CSRF-Token: guessed", NULL};
		const char *with[] = {"Content-Type: application/json", s.cookie, s.csrf, NULL};
		cr_assert_eq(status_of("POST", "/api/v1/users", without, body), 403);
		cr_assert_eq(status_of("POST", "/api/v1/users", wrong, body), 403);
		cr_assert_eq(status_of("POST", "/api/v1/users", with, body), 201);
	}
}

Test(auth, bearer_token_writes_need_no_csrf_token)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};

	cr_assert_eq(status_of("POST", "/api/v1/users", h,
			       "{\"username\":\"sys.user\",\"password\":\"long-enough-pass\",\"role\":\"auditor\"}"),
		     201);
}

Test(auth, invalid_bearer_token_is_401)
{
	const char *bad[] = {"Authorization: Bearer cvt_not-a-real-token", NULL};
	const char *malformed[] = {"Authorization: Basic YWRtaW46YWRtaW4=", NULL};

	cr_assert_eq(status_of("GET", "/api/v1/auth/me", bad, NULL), 401);
	cr_assert_eq(status_of("GET", "/api/v1/auth/me", malformed, NULL), 401);
}

Test(auth, permission_matrix_401_without_credentials_403_without_permission)
{
	const char *trader[] = {test_bearer("trader"), NULL};
	const char *auditor[] = {test_bearer("auditor"), NULL};
	const char *auditor_json[] = {"Content-Type: application/json", test_bearer("auditor"),
				      NULL};
	const char *admin[] = {test_bearer("admin"), NULL};
	const char *user =
		"{\"username\":\"x.y.z\",\"password\":\"long-enough-pass\",\"role\":\"auditor\"}";

	cr_assert_eq(status_of("GET", "/api/v1/users", NULL, NULL), 401);
	cr_assert_eq(status_of("GET", "/api/v1/audit", NULL, NULL), 401);
	cr_assert_eq(status_of("GET", "/api/v1/auth/me", NULL, NULL), 401);
	cr_assert_eq(status_of("POST", "/api/v1/users", json_headers, user), 401);
	cr_assert_eq(status_of("GET", "/api/v1/users", trader, NULL), 403);
	cr_assert_eq(status_of("GET", "/api/v1/audit", trader, NULL), 403);
	cr_assert_eq(status_of("GET", "/api/v1/users", auditor, NULL), 200);
	cr_assert_eq(status_of("GET", "/api/v1/audit", auditor, NULL), 200);
	cr_assert_eq(status_of("POST", "/api/v1/users", auditor_json, user), 403);
	cr_assert_eq(status_of("GET", "/api/v1/users", admin, NULL), 200);
	cr_assert_eq(status_of("GET", "/api/v1/auth/me", trader, NULL), 200);
}

Test(auth, logout_ends_the_session)
{
	struct test_session s;

	test_login(&srv, "auditor", &s);
	{
		const char *h[] = {s.cookie, s.csrf, NULL};
		const char *me[] = {s.cookie, NULL};
		cr_assert_eq(status_of("GET", "/api/v1/auth/me", me, NULL), 200);
		cr_assert_eq(status_of("POST", "/api/v1/auth/logout", h, NULL), 200);
		cr_assert_eq(status_of("GET", "/api/v1/auth/me", me, NULL), 401);
	}
}

Test(auth, users_list_pages_with_limit_and_after)
{
	const char *h[] = {test_bearer("admin"), NULL};
	struct test_response r;
	const char *next;
	char path[128];

	test_http(&srv, "GET", "/api/v1/users?limit=3", h, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 3);
	next = json_string_value(json_object_get(r.json, "next_after"));
	cr_assert(next);
	snprintf(path, sizeof(path), "/api/v1/users?limit=100&after=%s", next);
	test_response_free(&r);
	test_http(&srv, "GET", path, h, NULL, &r);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 6); /* 9 demo users */
	test_response_free(&r);
	cr_assert_eq(status_of("GET", "/api/v1/users?limit=0", h, NULL), 422);
	cr_assert_eq(status_of("GET", "/api/v1/users?limit=abc", h, NULL), 422);
}

/* A server that slows down after two failures. */
Test(throttle, repeated_failed_logins_get_429_with_retry_after, .timeout = 120)
{
	const char *extra[] = {"--login-max-failures", "2", NULL};
	const char *bad = "{\"username\":\"trader\",\"password\":\"wrong-password\"}";
	struct test_server s;
	struct test_response r;
	char *retry;

	test_server_start(&s, extra);
	for (int i = 0; i < 2; i++) {
		test_http(&s, "POST", "/api/v1/auth/login", json_headers, bad, &r);
		cr_assert_eq(r.status, 401);
		test_response_free(&r);
	}
	/* Even the right password must wait now. */
	test_http(&s, "POST", "/api/v1/auth/login", json_headers,
		  "{\"username\":\"trader\",\"password\":\"trader-demo-2026\"}", &r);
	cr_assert_eq(r.status, 429, "%s", r.body);
	retry = test_header(&r, "Retry-After");
	cr_assert(retry && atoi(retry) >= 1, "Retry-After: %s", retry);
	free(retry);
	test_response_free(&r);
	test_server_stop(&s);
}

Test(auth, signing_in_again_with_a_live_session_cookie_works)
{
	struct test_session s;
	struct test_response r;

	test_login(&srv, "admin", &s);
	{
		const char *h[] = {"Content-Type: application/json", s.cookie, NULL};
		test_http(&srv, "POST", "/api/v1/auth/login", h,
			  "{\"username\":\"auditor\",\"password\":\"auditor-demo-2026\"}", &r);
		cr_assert_eq(r.status, 200, "%s", r.body);
		test_response_free(&r);
	}
}
