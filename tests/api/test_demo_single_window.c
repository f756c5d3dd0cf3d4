/*
 * test_demo_single_window.c — what a fresh demo node's single window holds
 * (src/cli/demo_single_window.c): three months of traffic played through
 * the trade code, so that every status, LPCO state and report has real
 * figures. The demo's lanes vary a little from node to node (the engine's
 * random selection, a model trained per node): these tests ask for what
 * every demo node has, not for exact counts.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(demo_single_window, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)

static void date_days_ago(int days, char out[16])
{
	time_t t = time(NULL) - (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

static const char *text(json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	return s ? s : "";
}

/* Does the declaration's timeline have an event of kind (and, when given, text in its detail)? */
static int has_event(const char *number, const char *kind, const char *detail)
{
	struct test_response r;
	char path[160];
	json_t *e;
	size_t i;
	int found = 0;

	snprintf(path, sizeof(path), "/api/v1/declarations/%s", number);
	cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "events"), i, e) {
		char *d = json_dumps(json_object_get(e, "detail"), JSON_COMPACT);
		found |= !strcmp(text(e, "kind"), kind) && (!detail || (d && strstr(d, detail)));
		free(d);
	}
	test_response_free(&r);
	return found;
}

Test(demo_single_window, a_fresh_demo_node_has_declarations_in_every_status)
{
	static const char *const statuses[] = {"lane_assigned",     "documents_required",
					       "under_examination", "payment_required",
					       "released",          "cancelled"};
	static const char *const offices[] = {"KZ-ALA", "KZ-AST", "KZ-KHO", "KZ-DOS", "KZ-ALA-AIR"};
	struct test_response r;
	char path[160], from[16];
	json_t *d;
	size_t i;
	long lodged = 0;
	int amended = 0, exited = 0;

	for (size_t s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++) {
		snprintf(path, sizeof(path), "/api/v1/declarations?status=%s&limit=1", statuses[s]);
		cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
		cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1,
			     "no declaration is %s", statuses[s]);
		test_response_free(&r);
	}
	/* A few thousand over the last three months, at the node's own offices. */
	date_days_ago(91, from);
	for (size_t o = 0; o < sizeof(offices) / sizeof(offices[0]); o++) {
		snprintf(path, sizeof(path), "/api/v1/risk/statistics?from=%s&office=%s", from,
			 offices[o]);
		cr_assert_eq(call("risk.analyst", "GET", path, NULL, &r), 200, "%s", r.body);
		lodged += (long)json_integer_value(
			json_object_get(json_object_get(r.json, "total"), "declarations"));
		test_response_free(&r);
	}
	cr_assert(lodged >= 2000 && lodged <= 4000, "%ld declarations", lodged);
	/* Amended ones (versions kept), and exports and transits that left the country. */
	cr_assert_eq(call("border.officer", "GET", "/api/v1/declarations?status=released&limit=500",
			  NULL, &r),
		     200);
	json_array_foreach(json_object_get(r.json, "items"), i, d) {
		amended |= json_integer_value(json_object_get(d, "version")) > 1;
		if (exited < 3 && strcmp(text(d, "direction"), "import") &&
		    has_event(text(d, "number"), "exited", NULL))
			exited++;
	}
	test_response_free(&r);
	cr_assert(amended, "no released declaration was amended");
	cr_assert_gt(exited, 0, "no export or transit left the country");
}

Test(demo_single_window, lpcos_are_applied_for_issued_refused_and_used_up)
{
	static const char *const statuses[] = {"applied", "issued", "refused"};
	struct test_response r, one;
	char path[160];
	json_t *l;
	size_t i;
	int used_up = 0;

	for (size_t s = 0; s < 3; s++) {
		snprintf(path, sizeof(path), "/api/v1/lpcos?status=%s&limit=1", statuses[s]);
		cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
		cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "no LPCO is %s",
			     statuses[s]);
		test_response_free(&r);
	}
	/* Drawn on by releases until nothing is left. */
	cr_assert_eq(call("border.officer", "GET", "/api/v1/lpcos?status=issued&limit=200", NULL, &r),
		     200);
	json_array_foreach(json_object_get(r.json, "items"), i, l) {
		if (used_up)
			break;
		snprintf(path, sizeof(path), "/api/v1/lpcos/%s", text(l, "id"));
		cr_assert_eq(call("border.officer", "GET", path, NULL, &one), 200);
		used_up = json_real_value(
				  json_object_get(json_array_get(json_object_get(one.json, "lines"),
								 0),
						  "balance")) == 0;
		test_response_free(&one);
	}
	test_response_free(&r);
	cr_assert(used_up, "no LPCO of the last 200 issued is used up");
	/* The agency's officer sees its own: the agriculture ministry's certificates. */
	cr_assert_eq(call("pga.officer", "GET", "/api/v1/lpcos?limit=50", NULL, &r), 200);
	cr_assert_gt(json_array_size(json_object_get(r.json, "items")), 0);
	json_array_foreach(json_object_get(r.json, "items"), i, l)
		cr_assert_str_eq(text(l, "agency"), "KZ-MOA");
	test_response_free(&r);
}

Test(demo_single_window, agencies_examine_with_customs_and_findings_of_every_kind_are_recorded)
{
	static const char *const offices[] = {"KZ-ALA", "KZ-AST", "KZ-KHO", "KZ-DOS", "KZ-ALA-AIR"};
	struct test_response r;
	char path[160], from[16];
	json_t *d;
	size_t i;
	long findings = 0, seizures = 0, examined = 0;
	int joint = 0;

	date_days_ago(91, from);
	for (size_t o = 0; o < sizeof(offices) / sizeof(offices[0]); o++) {
		json_t *total;
		snprintf(path, sizeof(path), "/api/v1/risk/statistics?from=%s&office=%s", from,
			 offices[o]);
		cr_assert_eq(call("risk.analyst", "GET", path, NULL, &r), 200, "%s", r.body);
		total = json_object_get(r.json, "total");
		examined += (long)json_integer_value(json_object_get(total, "examined"));
		findings += (long)json_integer_value(json_object_get(total, "findings"));
		seizures += (long)json_integer_value(json_object_get(total, "seizures"));
		test_response_free(&r);
	}
	cr_assert_gt(examined, 500);
	cr_assert_gt(seizures, 0, "no seizure among %ld examinations", examined);
	cr_assert_gt(findings, seizures, "minor and major findings besides seizures");
	/* Fresh fruit is examined by the agriculture ministry, with customs when the lane is red. */
	cr_assert_eq(call("border.officer", "GET", "/api/v1/declarations?status=released&limit=100",
			  NULL, &r),
		     200);
	json_array_foreach(json_object_get(r.json, "items"), i, d)
		if (!joint && has_event(text(d, "number"), "examination_ended", "KZ-MOA: "))
			joint = 1;
	test_response_free(&r);
	cr_assert(joint, "no released declaration was examined by KZ-MOA");
}

/* The figures of one group of the release-time report. */
static json_t *measure(json_t *report, const char *group, const char *measure_name)
{
	return json_object_get(json_object_get(json_object_get(report, "groups"), group),
			       measure_name);
}

Test(demo_single_window, release_times_by_lane_and_aeo_status_are_real_figures)
{
	static const char *const groups[] = {"green", "blue", "yellow", "red", "aeo", "non_aeo"};
	struct test_response r;
	char path[200], from[16], to[16];
	json_t *aeo, *non_aeo;

	date_days_ago(90, from);
	date_days_ago(0, to);
	snprintf(path, sizeof(path), "/api/v1/reports/release-times?from=%s&to=%s", from, to);
	cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
		for (const char *const *m = (const char *const[]){"arrival_to_release",
								  "lodgement_to_release", NULL};
		     *m; m++) {
			json_t *figures = measure(r.json, groups[g], *m);
			cr_assert_gt(json_integer_value(json_object_get(figures, "count")), 0,
				     "%s %s: %s", groups[g], *m, r.body);
			cr_assert(json_is_number(json_object_get(figures, "mean")) &&
					  json_is_number(json_object_get(figures, "p90")),
				  "%s %s", groups[g], *m);
		}
	}
	/* What AEO status is worth: released sooner after arrival. And green before red. */
	aeo = measure(r.json, "aeo", "arrival_to_release");
	non_aeo = measure(r.json, "non_aeo", "arrival_to_release");
	cr_assert_lt(json_real_value(json_object_get(aeo, "mean")),
		     json_real_value(json_object_get(non_aeo, "mean")), "%s", r.body);
	cr_assert_lt(json_real_value(json_object_get(aeo, "median")),
		     json_real_value(json_object_get(non_aeo, "median")), "%s", r.body);
	cr_assert_lt(json_real_value(json_object_get(measure(r.json, "green", "arrival_to_release"),
						     "median")),
		     json_real_value(json_object_get(measure(r.json, "red", "arrival_to_release"),
						     "median")),
		     "%s", r.body);
	test_response_free(&r);
	/* Paperless: declarations, payments and LPCOs of the period. */
	snprintf(path, sizeof(path), "/api/v1/reports/green?from=%s&to=%s", from, to);
	cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	for (const char *const *k = (const char *const[]){"declaration", "payment",
							  "PHYTOSANITARY-CERTIFICATE", "lpco", NULL};
	     *k; k++)
		cr_assert_gt(json_integer_value(
				     json_object_get(json_object_get(json_object_get(r.json,
										     "by_document"),
								     *k),
						     "documents")),
			     0, "%s: %s", *k, r.body);
	test_response_free(&r);
}

Test(demo_single_window, an_aeo_with_deferred_payment_is_released_before_it_pays)
{
	struct test_response r, a;
	char path[200];
	json_t *d;
	size_t i;
	int seen = 0;

	/* Eurasia Electronics (AEOC): duties deferred, released without a payment. */
	cr_assert_eq(call("border.officer", "GET", "/api/v1/declarations?status=released&limit=100",
			  NULL, &r),
		     200);
	json_array_foreach(json_object_get(r.json, "items"), i, d) {
		if (seen || strcmp(text(d, "declarant"), "KZ510700800900"))
			continue;
		snprintf(path, sizeof(path), "/api/v1/declarations/%s/assessment", text(d, "id"));
		cr_assert_eq(call("border.officer", "GET", path, NULL, &a), 200, "%s", a.body);
		cr_assert(json_is_true(json_object_get(a.json, "deferred")), "%s", a.body);
		cr_assert_eq(json_integer_value(json_object_get(a.json, "paid")), 0, "%s", a.body);
		cr_assert_gt(json_integer_value(json_object_get(a.json, "due")), 0, "%s", a.body);
		test_response_free(&a);
		seen = 1;
	}
	test_response_free(&r);
	cr_assert(seen, "no declaration of Eurasia Electronics among the last 100 released");
}
