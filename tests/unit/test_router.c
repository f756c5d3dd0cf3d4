/* test_router.c — path patterns with {param} segments. */
#include "http/router.h"

#include <criterion/criterion.h>

static struct cv_arena arena;
static struct http_request req;

static void setup(void)
{
	cv_arena_init(&arena, 0);
	req = (struct http_request){.arena = &arena};
}

static void teardown(void) { cv_arena_release(&arena); }

TestSuite(router, .init = setup, .fini = teardown);

Test(router, literal_path_matches_only_itself)
{
	cr_assert(http_route_match("/api/v1/users", "/api/v1/users", NULL));
	cr_assert_not(http_route_match("/api/v1/users", "/api/v1/users/", NULL));
	cr_assert_not(http_route_match("/api/v1/users", "/api/v1/user", NULL));
	cr_assert_not(http_route_match("/api/v1/users", "/api/v1/usersx", NULL));
	cr_assert_not(http_route_match("/", "", NULL));
}

Test(router, param_segment_captures_its_value)
{
	cr_assert(http_route_match("/api/v1/users/{id}/tokens", "/api/v1/users/0192-ab/tokens",
				   &req));
	cr_assert_eq(req.nparams, 1);
	cr_assert_str_eq(http_param(&req, "id"), "0192-ab");
	cr_assert_null(http_param(&req, "other"));
}

Test(router, param_segment_does_not_match_empty_or_several_segments)
{
	cr_assert_not(http_route_match("/api/v1/users/{id}", "/api/v1/users/", NULL));
	cr_assert_not(http_route_match("/api/v1/users/{id}", "/api/v1/users/a/b", NULL));
	cr_assert_not(http_route_match("/api/v1/users/{id}/tokens", "/api/v1/users//tokens", NULL));
}

Test(router, several_params_are_captured_in_order)
{
	cr_assert(http_route_match("/a/{x}/b/{y}", "/a/1/b/22", &req));
	cr_assert_eq(req.nparams, 2);
	cr_assert_str_eq(http_param(&req, "x"), "1");
	cr_assert_str_eq(http_param(&req, "y"), "22");
}

Test(router, unclosed_brace_in_a_pattern_never_matches)
{
	cr_assert_not(http_route_match("/a/{x", "/a/1", &req));
}
