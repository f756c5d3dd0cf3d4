/*
 * test_compliance.c — the compliance ledger, the scoresheet and the AEO
 * candidates, on the demo node's histories (cmd_demo.c).
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(compliance, .init = start, .fini = stop, .timeout = 120);

/* A JSON request to this suite's server as a demo user (support/server.h). */
#define call(...) test_call(&srv, __VA_ARGS__)

static double score_of(const struct test_response *r)
{
	return json_real_value(json_object_get(r->json, "score"));
}

Test(compliance, the_scoresheet_explains_the_score_by_its_indicators)
{
	struct test_response r;
	json_t *indicators, *i;
	double sum = 0;
	size_t k;

	cr_assert_eq(call("trader", "GET", "/api/v1/operators/KZ123456789012/scoresheet", NULL, &r),
		     200, "%s", r.body);
	indicators = json_object_get(r.json, "indicators");
	cr_assert_eq(json_array_size(indicators), 5);
	json_array_foreach(indicators, k, i)
		sum += json_real_value(json_object_get(i, "contribution"));
	cr_assert_float_eq(sum, score_of(&r), 0.06, "the contributions add up to the score: %s",
			   r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "grade")), "AAA");
	cr_assert(json_array_size(json_object_get(r.json, "history")) >= 1);
	test_response_free(&r);
}

Test(compliance, a_trader_reads_only_its_own_scoresheet_pgas_read_any)
{
	cr_assert_eq(call("trader", "GET", "/api/v1/operators/KZ555000111222/scoresheet", NULL, NULL),
		     404);
	cr_assert_eq(call("trader", "GET", "/api/v1/operators/KZ555000111222/compliance-events",
			  NULL, NULL),
		     404);
	cr_assert_eq(call("pga.officer", "GET", "/api/v1/operators/KZ555000111222/scoresheet", NULL,
			  NULL),
		     200);
	cr_assert_eq(call("partner.uz", "GET", "/api/v1/operators/KZ555000111222/scoresheet", NULL,
			  NULL),
		     403);
}

Test(compliance, a_recorded_seizure_lowers_the_score_at_once)
{
	struct test_response before, after;

	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators/KZ100200300400/scoresheet", NULL,
			  &before),
		     200);
	cr_assert_eq(call("border.officer", "POST",
			  "/api/v1/operators/KZ100200300400/compliance-events",
			  "{\"kind\":\"examination\",\"outcome\":\"seizure\",\"occurred_on\":\"2026-11-01\","
			  "\"reference\":\"KZ-IM-2026-000123\"}",
			  &after),
		     201, "%s", after.body);
	cr_assert_lt(json_real_value(
			     json_object_get(json_object_get(after.json, "scoresheet"), "score")),
		     score_of(&before));
	test_response_free(&before);
	test_response_free(&after);
	cr_assert_eq(call("aeo.officer", "GET",
			  "/api/v1/operators/KZ100200300400/compliance-events?limit=1", NULL, &after),
		     200);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(after.json, "items"),
								0),
						 "outcome")),
			 "seizure", "newest first: %s", after.body);
	test_response_free(&after);
}

Test(compliance, bad_events_are_refused_naming_the_field)
{
	const char *p = "/api/v1/operators/KZ100200300400/compliance-events";

	cr_assert_eq(call("border.officer", "POST", p,
			  "{\"kind\":\"bribe\",\"occurred_on\":\"2026-11-01\"}", NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST", p,
			  "{\"kind\":\"examination\",\"outcome\":\"meh\",\"occurred_on\":\"2026-11-01\"}",
			  NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST", p,
			  "{\"kind\":\"late_payment\",\"occurred_on\":\"2026-11-01\"}", NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST", p,
			  "{\"kind\":\"declaration_lodged\",\"occurred_on\":\"2099-01-01\"}", NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST", p,
			  "{\"kind\":\"declaration_lodged\",\"occurred_on\":\"2026-02-30\"}", NULL),
		     422);
	cr_assert_eq(call("border.officer", "POST",
			  "/api/v1/operators/KZ000000000000/compliance-events",
			  "{\"kind\":\"declaration_lodged\",\"occurred_on\":\"2026-11-01\"}", NULL),
		     404);
	cr_assert_eq(call("trader", "POST", p,
			  "{\"kind\":\"voluntary_disclosure\",\"occurred_on\":\"2026-11-01\"}", NULL),
		     403);
	cr_assert_eq(call("pga.officer", "POST", p,
			  "{\"kind\":\"examination\",\"outcome\":\"clean\",\"occurred_on\":\"2026-11-01\"}",
			  NULL),
		     403);
	cr_assert_eq(call("pga.officer", "POST", p,
			  "{\"kind\":\"pga_finding\",\"outcome\":\"minor\",\"occurred_on\":\"2026-11-01\"}",
			  NULL),
		     201);
	cr_assert_eq(call("border.officer", "POST", p,
			  "{\"kind\":\"declaration_lodged\",\"occurred_on\":\"2026-11-01\",\"source\":\"single_window\"}",
			  NULL),
		     422);
}

Test(compliance, candidates_are_compliant_non_aeo_operators_best_first)
{
	struct test_response r;
	json_t *items;

	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/aeo/candidates", NULL, &r), 200, "%s",
		     r.body);
	items = json_object_get(r.json, "items");
	cr_assert_eq(json_array_size(items), 3, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "tin")),
			 "KZ100200300400");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "tin")),
			 "KZ123456789012");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 2), "tin")),
			 "KZ987654321098");
	/* Almaty Fresh Foods scores 100 but has too few declarations; Silk Road is below grade A. */
	cr_assert_null(strstr(r.body, "KZ600700800900"));
	cr_assert_null(strstr(r.body, "KZ555000111222"));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/aeo/candidates", NULL, NULL), 403);
}

Test(compliance, an_authorized_operator_is_no_longer_a_candidate)
{
	struct test_response r;
	char number[64], id[64];

	test_grant(&srv, "AEOC", number, id);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/aeo/candidates", NULL, &r), 200);
	cr_assert_null(strstr(r.body, "KZ123456789012"), "%s", r.body);
	test_response_free(&r);
}

Test(compliance, recompute_rescores_everyone_and_says_how_fast)
{
	char args[512], *out;

	snprintf(args, sizeof(args), "compliance recompute --db %s --workers 2", srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "scored 10 operators"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "compliance recompute --db %s --date 2026-13-01", srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 2, "%s", out);
	free(out);
	snprintf(args, sizeof(args), "compliance recompute --db %s --workers 0", srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 2, "%s", out);
	free(out);
}
