/*
 * test_risk_flow.c — the selectivity engine on the demo node's flow: the
 * demo imports the customs declarations dataset (history from train.csv and
 * valid.csv, the recent three months of test.csv decided by the engine), so
 * the figures below are the dataset's own: 8,481 recent declarations, 1,835
 * with fraud, 73 seizures; a model trained on 45,519 historical rows. The
 * demo's single-window traffic (about 3,000 declarations at the node's own
 * offices, KZ-...) comes on top: the dataset's figures are the totals less
 * those offices'.
 * Decisions, examinations, statistics, projections, office parameters,
 * models, and the import and train commands.
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

TestSuite(risk_flow, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)

/* A declaration of test.csv (2021-04-01, importer Y3OM027), as the demo imported it. */
#define DECLARATION "/api/v1/declarations/41256141"

static void date_days_ago(int days, char out[16])
{
	time_t t = time(NULL) - (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

Test(risk_flow, border_officers_read_the_decision_with_its_reasons_traders_do_not)
{
	struct test_response r;
	json_t *why, *item;

	cr_assert_eq(call("border.officer", "GET", DECLARATION "/risk", NULL, &r), 200, "%s",
		     r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "number")), "41256141");
	cr_assert(json_is_string(json_object_get(r.json, "lane")));
	cr_assert(json_is_object(json_object_get(r.json, "profile_set")),
		  "the demo profile set decided it");
	cr_assert(json_is_string(json_object_get(r.json, "model")), "and the demo model");
	why = json_object_get(r.json, "explanation");
	item = json_array_get(json_object_get(why, "items"), 0);
	cr_assert_gt(json_array_size(json_object_get(json_object_get(item, "model"), "features")),
		     0, "the model's strongest features are shown");
	cr_assert(json_object_get(json_object_get(why, "random"), "draw"));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", DECLARATION "/risk", NULL, NULL), 403);
	cr_assert_eq(call("border.officer", "GET", "/api/v1/declarations/NO-SUCH/risk", NULL, NULL),
		     404);
}

Test(risk_flow, deciding_again_keeps_the_old_decision_and_answers_the_new_one)
{
	struct test_response before, after, now;

	cr_assert_eq(call("border.officer", "GET", DECLARATION "/risk", NULL, &before), 200);
	cr_assert_eq(call("border.officer", "POST", DECLARATION "/risk", NULL, &after), 201, "%s",
		     after.body);
	cr_assert_str_neq(json_string_value(json_object_get(after.json, "id")),
			  json_string_value(json_object_get(before.json, "id")));
	cr_assert_str_eq(json_string_value(json_object_get(after.json, "lane")),
			 json_string_value(json_object_get(before.json, "lane")),
			 "same profiles, model and draw: same lane");
	cr_assert_eq(call("border.officer", "GET", DECLARATION "/risk", NULL, &now), 200);
	cr_assert_str_eq(json_string_value(json_object_get(now.json, "id")),
			 json_string_value(json_object_get(after.json, "id")));
	test_response_free(&before);
	test_response_free(&after);
	test_response_free(&now);
	cr_assert_eq(call("aeo.officer", "POST", DECLARATION "/risk", NULL, NULL), 403);
	cr_assert_eq(call("trader", "POST", DECLARATION "/risk", NULL, NULL), 403);
}

Test(risk_flow, examination_results_are_recorded_and_garbage_refused_by_field)
{
	struct test_response r;
	json_t *errors;

	cr_assert_eq(call("border.officer", "GET", DECLARATION "/examinations", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "the imported result");
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
						 "result")),
			 "clean");
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "POST", DECLARATION "/examinations",
			  "{\"kind\":\"x-ray\",\"reason\":\"lane\",\"result\":\"dirty\"}", &r),
		     422, "%s", r.body);
	errors = json_object_get(r.json, "errors");
	cr_assert(strstr(r.body, "\"kind\"") && strstr(r.body, "\"result\""), "%s", r.body);
	cr_assert_gt(json_array_size(errors), 0);
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "POST", DECLARATION "/examinations",
			  "{\"kind\":\"physical\",\"reason\":\"lane\",\"result\":\"clean\","
			  "\"examined_on\":\"2999-01-01\"}",
			  NULL),
		     422, "not in the future");
	cr_assert_eq(call("border.officer", "POST", DECLARATION "/examinations", "[1,2]", NULL),
		     400);
	cr_assert_eq(call("trader", "POST", DECLARATION "/examinations",
			  "{\"kind\":\"physical\",\"reason\":\"lane\",\"result\":\"clean\"}", NULL),
		     403);
	cr_assert_eq(call("pga.officer", "POST", DECLARATION "/examinations",
			  "{\"kind\":\"physical\",\"reason\":\"agency\",\"result\":\"minor\","
			  "\"notes\":\"labels missing\"}",
			  &r),
		     201, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "recorded_by")), "pga.officer");
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "GET", DECLARATION "/examinations", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 2);
	test_response_free(&r);
}

static json_t *lane(json_t *stats, const char *name)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(stats, "lanes"), i, row)
		if (!strcmp(json_string_value(json_object_get(row, "lane")), name))
			return row;
	return NULL;
}

/* A total of the statistics over the period from, for one office ("" all): declarations, examined, ... */
static long statistic(const char *from, const char *office, const char *name)
{
	struct test_response r;
	char path[200];
	long n;

	snprintf(path, sizeof(path), "/api/v1/risk/statistics?from=%s%s%s", from,
		 *office ? "&office=" : "", office);
	cr_assert_eq(call("risk.analyst", "GET", path, NULL, &r), 200, "%s", r.body);
	n = (long)json_integer_value(json_object_get(json_object_get(r.json, "total"), name));
	test_response_free(&r);
	return n;
}

Test(risk_flow, statistics_of_the_recent_flow_are_the_datasets_own_figures)
{
	static const char *const offices[] = {"KZ-ALA", "KZ-AST", "KZ-KHO", "KZ-DOS", "KZ-ALA-AIR"};
	static const char *const totals[] = {"declarations", "examined", "findings", "seizures"};
	static const long dataset[] = {8481, 8481, 1835, 73};
	struct test_response r;
	char path[160], from[16];
	json_t *total;
	long decided = 0;

	/* test.csv spans 91 days ending today; the history has no decisions. */
	date_days_ago(100, from);
	snprintf(path, sizeof(path), "/api/v1/risk/statistics?from=%s", from);
	cr_assert_eq(call("risk.analyst", "GET", path, NULL, &r), 200, "%s", r.body);
	total = json_object_get(r.json, "total");
	for (int k = 0; k < 4; k++) {
		long single_window = 0;
		for (int o = 0; o < 5; o++)
			single_window += statistic(from, offices[o], totals[k]);
		cr_assert_eq(json_integer_value(json_object_get(total, totals[k])) - single_window,
			     dataset[k], "%s: the dataset's own, besides the single window's %ld",
			     totals[k], single_window);
		cr_assert_gt(single_window, 0, "the demo's single window has %s too", totals[k]);
	}
	for (const char *const *l = (const char *const[]){"green", "blue", "yellow", "red", NULL};
	     *l; l++)
		decided += json_integer_value(json_object_get(lane(r.json, *l), "declarations"));
	cr_assert_eq(decided, json_integer_value(json_object_get(total, "declarations")),
		     "every lane is listed and they add up");
	/* The engine earns its keep: red finds fraud far more often than green. */
	cr_assert_gt(json_real_value(json_object_get(lane(r.json, "red"), "hit_rate")),
		     2 * json_real_value(json_object_get(lane(r.json, "green"), "hit_rate")), "%s",
		     r.body);
	cr_assert_gt(json_array_size(json_object_get(r.json, "profiles")), 0);
	cr_assert_gt(json_integer_value(
			     json_object_get(json_object_get(r.json, "random"), "declarations")),
		     0, "about 2 %% are drawn at random");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/risk/statistics?from=last+week", NULL,
			  NULL),
		     422);
	cr_assert_eq(call("trader", "GET", "/api/v1/risk/statistics", NULL, NULL), 403);
}

Test(risk_flow, a_draft_is_projected_on_the_recent_flow_before_activation)
{
	/* XP8KR96 imports only in test.csv: 5, 46 and 76 days after its start. */
	static const char draft[] =
		"{\"source\":\"profile XP \\\"one importer\\\" when importer = \\\"XP8KR96\\\" then score 50 end\\n\"}";
	struct test_response r;
	char path[160];
	json_t *sample;

	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles", draft, &r), 201, "%s",
		     r.body);
	snprintf(path, sizeof(path), "/api/v1/risk/profiles/%s/projection",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", path, "{\"days\": 100, \"sample\": 10}", &r), 200,
		     "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "hit")), 3, "%s", r.body);
	sample = json_object_get(r.json, "sample");
	cr_assert_eq(json_array_size(sample), 3);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(sample, 0), "number")),
			 "70970972", "newest first");
	cr_assert_gt(json_integer_value(json_object_get(r.json, "declarations")), 8481,
		     "history inside the window counts too");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", path, "{\"days\": 30}", &r), 200);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "hit")), 0,
		     "its last import was 43 days ago");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", path, "{\"days\": 0}", NULL), 422);
	cr_assert_eq(call("risk.analyst", "POST", path, "{\"days\": \"many\"}", NULL), 422);
	cr_assert_eq(call("border.officer", "POST", path, "{}", NULL), 403);
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles/999/projection", "{}", NULL),
		     404);
}

Test(risk_flow, office_parameters_are_inherited_then_set_and_garbage_is_refused)
{
	struct test_response r;

	cr_assert_eq(call("border.officer", "GET", "/api/v1/risk/offices/40", NULL, &r), 200);
	cr_assert(json_is_true(json_object_get(r.json, "inherited")));
	cr_assert_eq(json_real_value(json_object_get(r.json, "red_threshold")), 60,
		     "the demo's default");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "PATCH", "/api/v1/risk/offices/40",
			  "{\"red_threshold\": 75, \"random_rate\": 0.05}", &r),
		     200, "%s", r.body);
	cr_assert(json_is_false(json_object_get(r.json, "inherited")));
	cr_assert_eq(json_real_value(json_object_get(r.json, "red_threshold")), 75);
	cr_assert_eq(json_real_value(json_object_get(r.json, "yellow_threshold")), 45, "kept");
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "PATCH", "/api/v1/risk/offices/40",
			  "{\"random_rate\": 2, \"colour\": \"red\", \"memory_days\": 1.5}", &r),
		     422);
	cr_assert(strstr(r.body, "random_rate") && strstr(r.body, "colour") &&
			  strstr(r.body, "memory_days"),
		  "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/risk/offices/40", NULL, &r), 200);
	cr_assert_eq(json_real_value(json_object_get(r.json, "random_rate")), 0.05,
		     "the refused change changed nothing");
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "PATCH", "/api/v1/risk/offices/40",
			  "{\"red_threshold\": 90}", NULL),
		     403);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/risk/offices", NULL, &r), 200);
	cr_assert(strstr(r.body, "\"office\": \"40\"") || strstr(r.body, "\"office\":\"40\""), "%s",
		  r.body);
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "GET", "/api/v1/risk/offices/bad%20office", NULL, NULL),
		     404);
}

Test(risk_flow, import_and_train_from_the_command_line)
{
	struct test_response r;
	char cmd[640], *out, *p;
	long items;

	/* A file with an error is refused whole. */
	cr_assert_eq(test_cli("import declarations-csv tests/fixtures/no-such.csv", NULL, &out), 1);
	free(out);
	snprintf(cmd, sizeof(cmd),
		 "import declarations-csv tests/fixtures/declarations-test.csv --db %s", srv.db_url);
	cr_assert_eq(test_cli(cmd, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "100 declarations imported, 0 already there"), "%s", out);
	free(out);
	cr_assert_eq(test_cli(cmd, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "0 declarations imported, 100 already there"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("import declarations-csv", NULL, &out), 2);
	free(out);

	snprintf(cmd, sizeof(cmd), "risk train --param trees=lots --db %s", srv.db_url);
	cr_assert_eq(test_cli(cmd, NULL, &out), 2, "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "risk train --param trees=20 --param max_leaves=15 --db %s",
		 srv.db_url);
	cr_assert_eq(test_cli(cmd, NULL, &out), 0, "%s", out);
	/*
	 * The dataset's 54,000 examined items, the fixture's 100, and those of
	 * the single window's examined declarations (their number varies a
	 * little between demo nodes: the engine's random selection).
	 */
	p = strstr(out, "model version 2 trained on ");
	cr_assert(p && sscanf(p, "model version 2 trained on %ld examined items", &items) == 1,
		  "%s", out);
	cr_assert_gt(items, 54100, "%s", out);
	free(out);
	cr_assert_eq(call("border.officer", "GET", "/api/v1/risk/models", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 2);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
						 "status")),
			 "active");
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(json_array_get(json_object_get(r.json,
											    "items"),
									    1),
							     "summary"),
					     "rows")),
		     45519, "the demo's model learned from train.csv and valid.csv");
	test_response_free(&r);
	/* The new model decides from now on. */
	cr_assert_eq(call("border.officer", "POST", DECLARATION "/risk", NULL, &r), 201);
	cr_assert_eq(call("trader", "GET", "/api/v1/risk/models", NULL, NULL), 403);
	test_response_free(&r);
}
