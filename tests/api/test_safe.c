/* test_safe.c — the SAFE Framework self-assessment and its report. */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(safe, .init = start, .fini = stop, .timeout = 120);

static long call(const char *user, const char *method, const char *path, const char *body,
		 const char *extra_header, struct test_response *out)
{
	const char *h[] = {"Content-Type: application/json", test_bearer(user), extra_header, NULL};
	struct test_response r;
	long status;

	test_http(&srv, method, path, h, body, &r);
	status = r.status;
	if (out)
		*out = r;
	else
		test_response_free(&r);
	return status;
}

static json_t *pillar(const struct test_response *r, int n)
{
	return json_array_get(json_object_get(r->json, "pillars"), (size_t)n - 1);
}

static long num(json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

Test(safe, the_26_standards_are_loaded_in_three_pillars)
{
	struct test_response r;
	json_t *items;

	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/safe/standards", NULL, NULL, &r), 200);
	items = json_object_get(r.json, "items");
	cr_assert_eq(json_array_size(items), 26);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")),
			 "P1.S1");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 25), "title")),
			 "Harmonization of Security Programs");
	test_response_free(&r);
}

Test(safe, report_of_the_seed_mapping_matches_the_presentation)
{
	struct test_response r;
	json_t *overall, *gaps;

	cr_assert_eq(call("auditor", "GET", "/api/v1/safe/report", NULL, NULL, &r), 200);
	cr_assert_eq(num(pillar(&r, 1), "total"), 11);
	cr_assert_eq(num(pillar(&r, 1), "complied"), 11);
	cr_assert_eq(num(pillar(&r, 2), "complied"), 6);
	cr_assert_eq(num(pillar(&r, 3), "total"), 9);
	cr_assert_eq(num(pillar(&r, 3), "complied"), 4);
	cr_assert_float_eq(json_real_value(json_object_get(pillar(&r, 3), "percent")), 44.4, 0.01);
	overall = json_object_get(r.json, "overall");
	cr_assert_eq(num(overall, "complied"), 21);
	cr_assert_eq(num(overall, "total"), 26);
	cr_assert_float_eq(json_real_value(json_object_get(overall, "percent")), 80.8, 0.01);
	cr_assert(strstr(r.body, "\"percent\":80.8}") || strstr(r.body, "\"percent\":80.8,"),
		  "one decimal: %s", r.body);
	gaps = json_object_get(r.json, "gaps");
	cr_assert_eq(json_array_size(gaps), 5);
	{
		const char *expected[] = {"P3.S3", "P3.S4", "P3.S5", "P3.S6", "P3.S9"};
		for (size_t i = 0; i < 5; i++)
			cr_assert_str_eq(json_string_value(
						 json_object_get(json_array_get(gaps, i), "id")),
					 expected[i]);
	}
	cr_assert_eq(json_array_size(json_object_get(r.json, "recommendations")), 4);
	test_response_free(&r);
}

Test(safe, assessing_a_gap_as_partly_changes_the_report)
{
	struct test_response r;

	cr_assert_eq(call("aeo.officer", "PATCH", "/api/v1/safe/standards/P3.S6",
			  "{\"complied\":\"yes\",\"legal_basis\":\"Single window decree 2025\",\"evidence\":\"data model mapping\"}",
			  NULL, &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "complied")), "yes");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "updated_by")), "aeo.officer");
	/* Fields not sent are kept. */
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "title")),
			 "Harmonization of Data Filing Requirements");
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "PATCH", "/api/v1/safe/standards/P3.S3",
			  "{\"complied\":\"partly\"}", NULL, NULL),
		     200);
	cr_assert_eq(call("auditor", "GET", "/api/v1/safe/report", NULL, NULL, &r), 200);
	cr_assert_eq(num(pillar(&r, 3), "complied"), 5);
	cr_assert_eq(num(pillar(&r, 3), "partly"), 1);
	cr_assert_eq(json_array_size(json_object_get(r.json, "gaps")), 4,
		     "a partly complied standard is still a gap");
	test_response_free(&r);
}

Test(safe, bad_assessments_are_refused_and_change_nothing)
{
	struct test_response r;

	cr_assert_eq(call("aeo.officer", "PATCH", "/api/v1/safe/standards/P3.S3",
			  "{\"complied\":\"mostly\"}", NULL, NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "PATCH", "/api/v1/safe/standards/P9.S1",
			  "{\"complied\":\"yes\"}", NULL, NULL),
		     404);
	cr_assert_eq(call("aeo.officer", "PATCH", "/api/v1/safe/standards/P3.S3", "{\"notes\":42}",
			  NULL, NULL),
		     422);
	cr_assert_eq(call("auditor", "PATCH", "/api/v1/safe/standards/P3.S3",
			  "{\"complied\":\"yes\"}", NULL, NULL),
		     403);
	cr_assert_eq(call("trader", "GET", "/api/v1/safe/report", NULL, NULL, NULL), 403);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/safe/standards/P3.S3", NULL, NULL, &r),
		     200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "complied")), "no");
	test_response_free(&r);
}

Test(safe, report_as_csv_has_a_row_per_standard_pillar_and_overall)
{
	struct test_response r;
	char *type;
	int lines = 0;

	cr_assert_eq(call("auditor", "GET", "/api/v1/safe/report?format=csv", NULL, NULL, &r), 200);
	type = test_header(&r, "Content-Type");
	cr_assert(strncmp(type, "text/csv", 8) == 0, "%s", type);
	free(type);
	for (const char *p = r.body; (p = strchr(p, '\n')); p++)
		lines++;
	cr_assert_eq(lines, 1 + 26 + 3 + 1, "%s", r.body);
	cr_assert(strstr(r.body, "\"overall\",\"\",\"\",\"\",\"\",\"26\",\"21\",\"80.8\""), "%s",
		  r.body);
	test_response_free(&r);
	cr_assert_eq(call("auditor", "GET", "/api/v1/safe/report", NULL, "Accept: text/csv", &r),
		     200);
	cr_assert(strncmp(r.body, "\"kind\"", 6) == 0);
	test_response_free(&r);
	cr_assert_eq(call("auditor", "GET", "/api/v1/safe/report?format=pdf", NULL, NULL, NULL),
		     422);
}
