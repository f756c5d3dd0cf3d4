/*
 * test_http.c — the HTTP contract every route shares: problem documents for
 * each error status, health and meta, limits, idempotent retries.
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

static void assert_problem(const struct test_response *r, long status)
{
	char *type = test_header(r, "Content-Type");

	cr_assert_eq(r->status, status, "expected %ld, got %ld: %s", status, r->status, r->body);
	cr_assert_str_eq(type, "application/problem+json");
	cr_assert(r->json, "problem body is not JSON: %s", r->body);
	cr_assert_eq(json_integer_value(json_object_get(r->json, "status")), status);
	cr_assert(json_is_string(json_object_get(r->json, "title")));
	free(type);
}

/*
 * 120 like every other timeout in the suite: Criterion 2.4 loses the
 * pending timeout requests behind one inserted with an earlier deadline (a
 * 60 s test starting while a 120 s one runs), and LeakSanitizer then fails
 * make test on Criterion's 48 bytes.
 */
TestSuite(http, .init = start, .fini = stop, .timeout = 120);

Test(http, healthz_answers_ok_after_checking_the_database)
{
	struct test_response r;

	test_http(&srv, "GET", "/healthz", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "database")), "ok");
	test_response_free(&r);
}

Test(http, healthz_is_503_when_the_database_cannot_be_opened)
{
	struct test_response r;
	FILE *f = fopen(srv.db_path, "r+");

	/* Worker threads open their connection on first use: spoil the file before. */
	cr_assert(f);
	fputs("this is no longer an SQLite database file....", f);
	fclose(f);
	test_http(&srv, "GET", "/healthz", NULL, NULL, &r);
	cr_assert_eq(r.status, 503, "got %ld: %s", r.status, r.body);
	test_response_free(&r);
}

Test(http, meta_names_the_node_and_version)
{
	struct test_response r;

	test_http(&srv, "GET", "/api/v1/meta", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(r.json, "node"), "country")),
			 "KZ");
	cr_assert(json_is_string(json_object_get(r.json, "version")));
	test_response_free(&r);
}

Test(http, unknown_path_is_a_404_problem)
{
	struct test_response r;

	test_http(&srv, "GET", "/api/v1/no-such-thing", NULL, NULL, &r);
	assert_problem(&r, 404);
	test_response_free(&r);
}

Test(http, wrong_method_is_405_with_allow)
{
	struct test_response r;
	char *allow;

	test_http(&srv, "DELETE", "/api/v1/users", json_headers, NULL, &r);
	assert_problem(&r, 405);
	allow = test_header(&r, "Allow");
	cr_assert(allow && strstr(allow, "GET") && strstr(allow, "POST"), "Allow: %s", allow);
	free(allow);
	test_response_free(&r);
}

Test(http, malformed_json_is_400_naming_line_and_column)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	struct test_response r;

	test_http(&srv, "POST", "/api/v1/users", h, "{\"username\": \"x\",\n  \"role\": }", &r);
	assert_problem(&r, 400);
	cr_assert(strstr(json_string_value(json_object_get(r.json, "detail")), "line 2"), "%s",
		  r.body);
	cr_assert(strstr(json_string_value(json_object_get(r.json, "detail")), "column"), "%s",
		  r.body);
	test_response_free(&r);
}

Test(http, non_object_json_body_is_400)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	struct test_response r;

	test_http(&srv, "POST", "/api/v1/users", h, "[1, 2, 3]", &r);
	assert_problem(&r, 400);
	test_response_free(&r);
}

Test(http, wrong_content_type_is_415)
{
	const char *h[] = {"Content-Type: text/plain", test_bearer("admin"), NULL};
	struct test_response r;

	test_http(&srv, "POST", "/api/v1/users", h, "username=x", &r);
	assert_problem(&r, 415);
	test_response_free(&r);
}

Test(http, invalid_fields_are_422_naming_each_field)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	struct test_response r;
	json_t *errors;
	int saw_role = 0, saw_password = 0, saw_username = 0;

	test_http(&srv, "POST", "/api/v1/users", h,
		  "{\"role\": \"emperor\", \"password\": \"short\", \"username\": 7}", &r);
	assert_problem(&r, 422);
	errors = json_object_get(r.json, "errors");
	cr_assert(json_is_array(errors));
	for (size_t i = 0; i < json_array_size(errors); i++) {
		const char *f = json_string_value(
			json_object_get(json_array_get(errors, i), "field"));
		saw_role |= strcmp(f, "role") == 0;
		saw_password |= strcmp(f, "password") == 0;
		saw_username |= strcmp(f, "username") == 0;
	}
	cr_assert(saw_role && saw_password && saw_username, "%s", r.body);
	test_response_free(&r);
}

Test(http, taken_username_is_409_and_nothing_is_written)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	struct test_response r;

	test_http(&srv, "POST", "/api/v1/users", h,
		  "{\"username\": \"trader\", \"password\": \"long-enough-pass\", \"role\": \"auditor\"}",
		  &r);
	assert_problem(&r, 409);
	test_response_free(&r);
	test_http(&srv, "GET", "/api/v1/audit?limit=1000",
		  (const char *[]){test_bearer("auditor"), NULL}, NULL, &r);
	cr_assert_null(strstr(r.body, "\"user.create\",\"entity_type\":\"user\",\"entity_id\":\"\""));
	test_response_free(&r);
}

Test(http, created_user_is_201_with_location_and_can_be_read_back)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	const char *auditor[] = {test_bearer("auditor"), NULL};
	struct test_response r;
	char *location, path[128];

	test_http(&srv, "POST", "/api/v1/users", h,
		  "{\"username\": \"analyst2\", \"password\": \"long-enough-pass\", \"role\": \"risk_analyst\"}",
		  &r);
	cr_assert_eq(r.status, 201, "%s", r.body);
	cr_assert_null(json_object_get(r.json, "password_hash"));
	location = test_header(&r, "Location");
	cr_assert(location);
	snprintf(path, sizeof(path), "%s", location);
	free(location);
	test_response_free(&r);
	test_http(&srv, "GET", path, auditor, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "role")), "risk_analyst");
	test_response_free(&r);
}

Test(http, same_idempotency_key_returns_the_stored_response_and_creates_once)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"),
			   "Idempotency-Key: create-officer-1", NULL};
	const char *body =
		"{\"username\": \"officer2\", \"password\": \"long-enough-pass\", \"role\": \"aeo_officer\"}";
	struct test_response first, again;
	char *replayed;

	test_http(&srv, "POST", "/api/v1/users", h, body, &first);
	cr_assert_eq(first.status, 201, "%s", first.body);
	test_http(&srv, "POST", "/api/v1/users", h, body, &again);
	cr_assert_eq(again.status, 201, "a retry must not see 409: %s", again.body);
	cr_assert_str_eq(again.body, first.body);
	replayed = test_header(&again, "Idempotent-Replayed");
	cr_assert_str_eq(replayed, "true");
	free(replayed);
	test_response_free(&first);
	test_response_free(&again);
}

Test(http, same_idempotency_key_with_another_body_is_422)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"),
			   "Idempotency-Key: k-2", NULL};
	struct test_response r;

	test_http(&srv, "POST", "/api/v1/users", h,
		  "{\"username\": \"one.user\", \"password\": \"long-enough-pass\", \"role\": \"auditor\"}",
		  &r);
	cr_assert_eq(r.status, 201);
	test_response_free(&r);
	test_http(&srv, "POST", "/api/v1/users", h,
		  "{\"username\": \"other.user\", \"password\": \"long-enough-pass\", \"role\": \"auditor\"}",
		  &r);
	assert_problem(&r, 422);
	test_response_free(&r);
}

Test(http, openapi_reference_and_start_page_are_served)
{
	struct test_response r;

	test_http(&srv, "GET", "/api/v1/openapi.yaml", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "openapi:"));
	test_response_free(&r);
	test_http(&srv, "GET", "/", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "<html") || strstr(r.body, "<!doctype") ||
		  strstr(r.body, "<!DOCTYPE"));
	test_response_free(&r);
}

/* A server with a 1 KiB body limit, for 413. */
Test(limits, body_over_the_limit_is_413, .timeout = 120)
{
	const char *extra[] = {"--max-body", "1K", NULL};
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	struct test_server small;
	struct test_response r;
	char *big = malloc(4096);

	memset(big, ' ', 4095);
	big[0] = '{';
	big[4094] = '}';
	big[4095] = '\0';
	test_server_start(&small, extra);
	test_http(&small, "POST", "/api/v1/users", h, big, &r);
	assert_problem(&r, 413);
	test_response_free(&r);
	free(big);
	test_server_stop(&small);
}

Test(http, head_healthz_answers_like_get_without_a_body)
{
	struct test_response r;

	test_http(&srv, "HEAD", "/healthz", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(r.body, "");
	test_response_free(&r);
}

Test(http, public_routes_ignore_a_stale_bearer_token)
{
	const char *h[] = {"Authorization: Bearer cvt_revoked-long-ago", NULL};
	struct test_response r;

	test_http(&srv, "GET", "/healthz", h, NULL, &r);
	cr_assert_eq(r.status, 200);
	test_response_free(&r);
}

Test(http, replayed_create_keeps_its_location)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"),
			   "Idempotency-Key: loc-1", NULL};
	const char *body =
		"{\"username\": \"loc.user\", \"password\": \"long-enough-pass\", \"role\": \"auditor\"}";
	struct test_response a, b;
	char *la, *lb;

	test_http(&srv, "POST", "/api/v1/users", h, body, &a);
	test_http(&srv, "POST", "/api/v1/users", h, body, &b);
	la = test_header(&a, "Location");
	lb = test_header(&b, "Location");
	cr_assert(la && lb);
	cr_assert_str_eq(la, lb);
	free(la);
	free(lb);
	test_response_free(&a);
	test_response_free(&b);
}

Test(http, a_new_api_token_is_never_stored_for_replay)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"),
			   "Idempotency-Key: tok-1", NULL};
	struct test_response a, b;
	char cmd[512];

	test_http(&srv, "POST", "/api/v1/users/auditor/tokens", h,
		  "{\"label\": \"reporting system\"}", &a);
	cr_assert_eq(a.status, 201, "%s", a.body);
	cr_assert(strncmp(json_string_value(json_object_get(a.json, "token")), "cvt_", 4) == 0);
	test_http(&srv, "POST", "/api/v1/users/auditor/tokens", h,
		  "{\"label\": \"reporting system\"}", &b);
	cr_assert_eq(b.status, 409, "%s", b.body);
	cr_assert_null(strstr(b.body, "cvt_"));
	/* And the database holds no copy of it. */
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' \"SELECT body FROM idempotency_keys\" | grep -q cvt_", srv.db_path);
	cr_assert_neq(system(cmd), 0, "the token is stored in idempotency_keys");
	test_response_free(&a);
	test_response_free(&b);
}
