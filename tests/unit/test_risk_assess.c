/*
 * test_risk_assess.c — the engine on stored declarations, on a real SQLite
 * file: decisions stored with their explanation, consignment memory from
 * examination results, projected hits of a draft, statistics, office
 * parameters, and garbage refused.
 */
#include "aeo/applications.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "exchange/advance_cargo.h"
#include "exchange/mra.h"
#include "exchange/partner_aeo.h"
#include "risk/assess.h"
#include "risk/examination.h"
#include "risk/repository.h"
#include "risk/statistics.h"
#include "store/migrate.h"
#include "trade/declarations.h"

#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/caravan-assess-XXXXXX";
static struct store *store;
static struct store_conn *conn;
static char today[CV_DATE_MAX];

/* Phones score 45 (yellow); cheap phones 30 more (red); ODS without licence red. */
static const char profiles[] =
	"profile PHONES \"phones\" when hs startswith \"8517\" then score 45, note \"check value\" end\n"
	"profile CHEAP \"cheap phones\" when hs startswith \"8517\" and unit_value < 20 then score 30 end\n"
	"profile ODS \"ods\" when hs startswith \"2903\" and not has_document(\"ODS-LICENCE\")"
	" then lane red end\n";

static void activate(const char *source)
{
	struct risk_compile_error cerr;
	struct cv_error err;
	json_t *draft, *active;

	cr_assert_eq(risk_profiles_add_draft(conn, "analyst", source, &cerr, &draft, &err), CV_OK,
		     "%s", err.message);
	cr_assert_eq(risk_profiles_activate(conn, "analyst",
					    json_string_value(json_object_get(draft, "id")),
					    &active, &err),
		     CV_OK, "%s", err.message);
	json_decref(draft);
	json_decref(active);
}

static void setup(void)
{
	struct risk_office_params p;
	char url[128];

	cv_log_set_level(CV_LOG_OFF);
	cr_assert_eq(cv_ids_init(), 0);
	cr_assert(sodium_init() >= 0);
	cr_assert(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/a.db", dir);
	cr_assert_eq(store_open(url, &store, NULL), 0);
	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_eq(store_migrate(conn, NULL, NULL), 0);
	cv_date_from_ms(cv_clock_now_ms(), today);
	/* No random selections unless a test asks: the draw is tested in test_risk_decision. */
	risk_office_params_defaults(&p);
	p.random_rate = 0;
	p.random_rate_aeo = 0;
	cr_assert_eq(risk_office_params_save(conn, "*", &p), CV_OK);
}

static void teardown(void)
{
	char cmd[128];

	store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(risk_assess, .init = setup, .fini = teardown);

/* Store a one-item import declaration lodged days_ago days before today. */
static void lodge(const char *number, const char *importer, const char *hs, double value,
		  double mass, int days_ago, const char *document)
{
	struct trade_item item = {hs, "CN", value, mass, 5};
	const struct trade_document docs[] = {{document, "REF-1"}};
	struct trade_declaration d = {.number = number,
				      .direction = "import",
				      .office = "KZ-ALA",
				      .importer = importer,
				      .seller = "CN-SELLER-1",
				      .source = "api",
				      .items = &item,
				      .nitems = 1,
				      .documents = docs,
				      .ndocuments = document ? 1 : 0};
	char on[CV_DATE_MAX], id[CV_UUID_STR];
	struct cv_error err;

	cr_assert_eq(cv_date_add_days(today, -days_ago, on), 0);
	d.lodged_on = on;
	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_OK, "%s", err.message);
}

static json_t *assess(const char *number)
{
	struct risk_assessor *a;
	struct cv_error err;
	json_t *out;

	cr_assert_eq(risk_assessor_open(conn, &a, &err), CV_OK, "%s", err.message);
	cr_assert_eq(risk_assess_stored(a, conn, number, NULL, &out, &err), CV_OK, "%s",
		     err.message);
	risk_assessor_free(a);
	return out;
}

static const char *lane_of(const char *number)
{
	static char lane[16];
	json_t *d = assess(number);

	snprintf(lane, sizeof(lane), "%s", json_string_value(json_object_get(d, "lane")));
	json_decref(d);
	return lane;
}

static void examine(const char *number, const char *result, int days_ago)
{
	struct aeo_context ctx = {"KZ", cv_clock_now_ms()};
	char on[CV_DATE_MAX];
	struct risk_examination ex = {"physical", "lane", result, NULL, on};
	struct cv_error err;

	cr_assert_eq(cv_date_add_days(today, -days_ago, on), 0);
	cr_assert_eq(risk_examination_record(conn, &ctx, "border.officer", number, &ex, NULL, &err),
		     CV_OK, "%s", err.message);
}

Test(risk_assess, a_stored_declaration_gets_its_lane_with_the_reasons_kept)
{
	json_t *d, *again, *hits;

	activate(profiles);
	lodge("KZ-1", "KZ111", "851712", 1000, 100, 0, NULL); /* 10 per kg: 45 + 30 */
	d = assess("KZ-1");
	cr_assert_str_eq(json_string_value(json_object_get(d, "lane")), "red");
	cr_assert_str_eq(json_string_value(json_object_get(d, "number")), "KZ-1");
	cr_assert(json_is_object(json_object_get(d, "profile_set")), "the version used is named");
	hits = json_object_get(json_array_get(json_object_get(json_object_get(d, "explanation"),
							      "items"),
					      0),
			       "hits");
	cr_assert_eq(json_array_size(hits), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(hits, 0), "note")),
			 "check value");
	/* Read back: the same decision. */
	cr_assert_eq(risk_decision_get(conn, "KZ-1", &again), CV_OK);
	cr_assert_str_eq(json_string_value(json_object_get(again, "id")),
			 json_string_value(json_object_get(d, "id")));
	json_decref(again);
	json_decref(d);
}

Test(risk_assess, a_new_decision_supersedes_the_old_one)
{
	struct store_stmt *stmt;
	json_t *first, *second, *current;

	activate(profiles);
	lodge("KZ-2", "KZ111", "851712", 1000, 100, 0, NULL);
	first = assess("KZ-2");
	second = assess("KZ-2");
	cr_assert_eq(risk_decision_get(conn, "KZ-2", &current), CV_OK);
	cr_assert_str_eq(json_string_value(json_object_get(current, "id")),
			 json_string_value(json_object_get(second, "id")));
	cr_assert_eq(store_query_row(conn, &stmt,
				     "SELECT COUNT(*), SUM(superseded) FROM risk_decisions", ""),
		     CV_OK);
	cr_assert_eq(store_col_int64(stmt, 0), 2, "both are kept");
	cr_assert_eq(store_col_int64(stmt, 1), 1, "one is superseded");
	store_finish(stmt);
	json_decref(first);
	json_decref(second);
	json_decref(current);
}

Test(risk_assess, documents_referenced_are_seen_by_has_document)
{
	activate(profiles);
	lodge("KZ-3", "KZ111", "290341", 1000, 100, 0, NULL);
	lodge("KZ-4", "KZ111", "290341", 1000, 100, 0, "ODS-LICENCE");
	cr_assert_str_eq(lane_of("KZ-3"), "red");
	cr_assert_str_eq(lane_of("KZ-4"), "green");
}

Test(risk_assess, without_an_active_set_the_lane_still_comes_out)
{
	lodge("KZ-5", "KZ111", "851712", 1000, 100, 0, NULL);
	cr_assert_str_eq(lane_of("KZ-5"), "green");
}

Test(risk_assess, unknown_declarations_are_not_found)
{
	struct risk_assessor *a;
	struct cv_error err;
	json_t *out;

	cr_assert_eq(risk_assessor_open(conn, &a, &err), CV_OK);
	cr_assert_eq(risk_assess_stored(a, conn, "NO-SUCH", NULL, &out, &err), CV_ENOTFOUND);
	risk_assessor_free(a);
	cr_assert_eq(risk_decision_get(conn, "NO-SUCH", &out), CV_ENOTFOUND);
}

Test(risk_assess, three_clean_examinations_of_similar_consignments_lower_the_score)
{
	json_t *d, *memory;

	activate(profiles);
	/* 100 per kg: PHONES only, 45, yellow. */
	for (int i = 0; i < 3; i++) {
		char number[16];
		snprintf(number, sizeof(number), "OLD-%d", i);
		lodge(number, "KZ111", "851712", 10000, 100, 30 - i, NULL);
		examine(number, "clean", 30 - i);
	}
	lodge("NEW", "KZ111", "85171200", 10000, 100, 0, NULL); /* same HS6 */
	d = assess("NEW");
	memory = json_object_get(json_array_get(json_object_get(json_object_get(d, "explanation"),
								"items"),
						0),
				 "memory");
	cr_assert_eq(json_integer_value(json_object_get(memory, "clean_examinations")), 3);
	cr_assert_str_eq(json_string_value(json_object_get(d, "lane")), "blue", "45 - 15 = 30");
	json_decref(d);
	/* Another importer's consignments are not similar. */
	lodge("OTHER", "KZ222", "851712", 10000, 100, 0, NULL);
	cr_assert_str_eq(lane_of("OTHER"), "yellow");
}

Test(risk_assess, a_finding_resets_the_memory)
{
	activate(profiles);
	for (int i = 0; i < 4; i++) {
		char number[16];
		snprintf(number, sizeof(number), "OLD-%d", i);
		lodge(number, "KZ111", "851712", 10000, 100, 30 - i, NULL);
		/* clean, clean, clean, then a finding: the newest counts first. */
		examine(number, i == 3 ? "major" : "clean", 30 - i);
	}
	lodge("NEW", "KZ111", "851712", 10000, 100, 0, NULL);
	cr_assert_str_eq(lane_of("NEW"), "yellow");
}

Test(risk_assess, examinations_older_than_the_memory_window_do_not_count)
{
	struct risk_office_params p;

	activate(profiles);
	risk_office_params_load(conn, "*", &p);
	p.memory_days = 20;
	cr_assert_eq(risk_office_params_save(conn, "*", &p), CV_OK);
	for (int i = 0; i < 3; i++) {
		char number[16];
		snprintf(number, sizeof(number), "OLD-%d", i);
		lodge(number, "KZ111", "851712", 10000, 100, 30 - i, NULL);
		examine(number, "clean", 30 - i);
	}
	lodge("NEW", "KZ111", "851712", 10000, 100, 0, NULL);
	cr_assert_str_eq(lane_of("NEW"), "yellow", "30 days ago is outside 20 days");
}

Test(risk_assess, examination_garbage_is_refused_by_field)
{
	struct aeo_context ctx = {"KZ", cv_clock_now_ms()};
	struct risk_examination bad[] = {
		{"x-ray", "lane", "clean", NULL, NULL},
		{"physical", "whim", "clean", NULL, NULL},
		{"physical", "lane", "dirty", NULL, NULL},
		{"physical", "lane", "clean", NULL, "2026-13-45"},
		{"physical", "lane", "clean", NULL, "2999-01-01"},
		{NULL, NULL, NULL, NULL, NULL},
	};
	const char *fields[] = {"kind", "reason", "result", "examined_on", "examined_on", "kind"};
	struct store_stmt *stmt;
	struct cv_error err;

	lodge("KZ-6", "KZ111", "851712", 1000, 100, 0, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cv_error_clear(&err);
		cr_assert_eq(risk_examination_record(conn, &ctx, "x", "KZ-6", &bad[i], NULL, &err),
			     CV_EINVAL, "case %zu", i);
		cr_assert_str_eq(err.field, fields[i], "case %zu", i);
	}
	cr_assert_eq(risk_examination_record(conn, &ctx, "x", "NO-SUCH",
					     &(struct risk_examination){"physical", "lane", "clean",
									NULL, NULL},
					     NULL, &err),
		     CV_ENOTFOUND);
	cr_assert_eq(store_query_row(conn, &stmt, "SELECT COUNT(*) FROM examinations", ""), CV_OK);
	cr_assert_eq(store_col_int64(stmt, 0), 0, "nothing recorded");
	store_finish(stmt);
}

Test(risk_assess, a_draft_is_projected_over_the_last_days_before_activation)
{
	struct risk_profile_set *set;
	struct risk_compile_error cerr;
	struct cv_error err;
	json_t *out, *sample;

	lodge("P-1", "KZ111", "851712", 1000, 100, 1, NULL);
	lodge("P-2", "KZ111", "851712", 1000, 100, 5, NULL);
	lodge("P-3", "KZ111", "010121", 1000, 100, 2, NULL);
	lodge("P-OLD", "KZ111", "851712", 1000, 100, 40, NULL);
	cr_assert_eq(risk_compile(profiles, strlen(profiles), &set, &cerr), CV_OK);
	cr_assert_eq(risk_project(conn, set, today, 30, 10, &out, &err), CV_OK, "%s", err.message);
	cr_assert_eq(json_integer_value(json_object_get(out, "declarations")), 3);
	cr_assert_eq(json_integer_value(json_object_get(out, "hit")), 2, "P-1 and P-2");
	cr_assert_eq(json_integer_value(
			     json_object_get(json_array_get(json_object_get(out, "profiles"), 0),
					     "declarations")),
		     2, "PHONES hits two");
	sample = json_object_get(out, "sample");
	cr_assert_eq(json_array_size(sample), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(sample, 0), "number")),
			 "P-1", "newest first");
	json_decref(out);
	cr_assert_eq(risk_project(conn, set, today, 0, 10, &out, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "days");
	cr_assert_eq(risk_project(conn, set, today, 30, 1000, &out, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "sample");
	risk_profile_set_free(set);
}

static json_t *lane_row(json_t *stats, const char *lane)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(stats, "lanes"), i, row)
		if (!strcmp(json_string_value(json_object_get(row, "lane")), lane))
			return row;
	return NULL;
}

Test(risk_assess, statistics_count_hits_examinations_findings_per_profile_and_lane)
{
	char from[CV_DATE_MAX];
	struct cv_error err;
	json_t *stats, *phones = NULL, *p, *red;
	size_t i;

	activate(profiles);
	lodge("S-1", "KZ1", "851712", 1000, 100, 3, NULL);    /* red (75) */
	lodge("S-2", "KZ2", "851712", 1000, 100, 3, NULL);    /* red */
	lodge("S-3", "KZ3", "851712", 10000, 100, 3, NULL);   /* yellow (45) */
	lodge("S-4", "KZ4", "010121", 10000, 100, 3, NULL);   /* green */
	lodge("S-OLD", "KZ5", "851712", 1000, 100, 90, NULL); /* outside the period */
	json_decref(assess("S-1"));
	json_decref(assess("S-2"));
	json_decref(assess("S-3"));
	json_decref(assess("S-4"));
	json_decref(assess("S-OLD"));
	examine("S-1", "seizure", 2);
	examine("S-2", "clean", 2);
	examine("S-3", "minor", 2);
	cv_date_add_days(today, -29, from);
	cr_assert_eq(risk_statistics(conn, from, today, "", &stats, &err), CV_OK, "%s", err.message);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(stats, "total"), "declarations")),
		     4);
	json_array_foreach(json_object_get(stats, "profiles"), i, p)
		if (!strcmp(json_string_value(json_object_get(p, "profile")), "PHONES"))
			phones = p;
	cr_assert_not_null(phones);
	cr_assert_eq(json_integer_value(json_object_get(phones, "declarations")), 3);
	cr_assert_eq(json_integer_value(json_object_get(phones, "examined")), 3);
	cr_assert_eq(json_integer_value(json_object_get(phones, "findings")), 2);
	cr_assert_eq(json_integer_value(json_object_get(phones, "seizures")), 1);
	cr_assert_float_eq(json_real_value(json_object_get(phones, "hit_rate")), 2.0 / 3, 1e-9);
	red = lane_row(stats, "red");
	cr_assert_eq(json_integer_value(json_object_get(red, "declarations")), 2);
	cr_assert_float_eq(json_real_value(json_object_get(red, "share")), 0.5, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(red, "expected")), 0.08, 1e-9);
	cr_assert_eq(json_integer_value(json_object_get(lane_row(stats, "blue"), "declarations")),
		     0, "every lane is listed");
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(stats, "random"), "declarations")),
		     0);
	json_decref(stats);
	cr_assert_eq(risk_statistics(conn, today, from, "", &stats, &err), CV_EINVAL,
		     "to before from");
	cr_assert_eq(risk_statistics(conn, "yesterday", today, "", &stats, &err), CV_EINVAL);
}

Test(risk_assess, the_random_sample_is_measured_on_its_own)
{
	struct risk_office_params p;
	char from[CV_DATE_MAX];
	struct cv_error err;
	json_t *stats, *random;

	risk_office_params_load(conn, "*", &p);
	p.random_rate = 1; /* everyone */
	cr_assert_eq(risk_office_params_save(conn, "*", &p), CV_OK);
	lodge("R-1", "KZ1", "010121", 1000, 100, 1, NULL);
	lodge("R-2", "KZ2", "010121", 1000, 100, 1, NULL);
	cr_assert_str_eq(lane_of("R-1"), "red");
	cr_assert_str_eq(lane_of("R-2"), "red");
	examine("R-1", "clean", 0);
	examine("R-2", "major", 0);
	cv_date_add_days(today, -29, from);
	cr_assert_eq(risk_statistics(conn, from, today, "KZ-ALA", &stats, &err), CV_OK);
	random = json_object_get(stats, "random");
	cr_assert_eq(json_integer_value(json_object_get(random, "declarations")), 2);
	cr_assert_float_eq(json_real_value(json_object_get(random, "hit_rate")), 0.5, 1e-9);
	json_decref(stats);
	cr_assert_eq(risk_statistics(conn, from, today, "KZ-AST", &stats, &err), CV_OK);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(stats, "total"), "declarations")),
		     0, "another office");
	json_decref(stats);
}

Test(risk_assess, office_parameters_refuse_garbage_and_keep_the_rest)
{
	struct risk_office_params p, before;
	json_t *errors = json_array(),
	       *body = json_pack("{s:s, s:f, s:f, s:i, s:f, s:i}", "blue_threshold", "low",
				 "random_rate", 1.5, "memory_examinations", 2.5, "colour", 1,
				 "model_weight", 2.0, "memory_days", 0);

	risk_office_params_load(conn, "KZ-ALA", &p);
	before = p;
	cr_assert_eq(risk_office_params_merge(body, &p, errors), CV_EINVAL);
	cr_assert_eq(json_array_size(errors), 5, "blue, rate, examinations, colour, days");
	cr_assert_float_eq(p.model_weight, 2.0, 1e-9, "the good member applies");
	cr_assert_float_eq(p.random_rate, before.random_rate, 1e-9);
	json_decref(body);
	json_decref(errors);
	errors = json_array();
	body = json_pack("{s:i, s:i}", "yellow_threshold", 90, "red_threshold", 80);
	cr_assert_eq(risk_office_params_merge(body, &p, errors), CV_EINVAL, "thresholds must rise");
	json_decref(body);
	json_decref(errors);
	/* Saved for one office, the default stays. */
	risk_office_params_defaults(&p);
	p.red_threshold = 99;
	cr_assert_eq(risk_office_params_save(conn, "KZ-AST", &p), CV_OK);
	cr_assert(risk_office_params_own(conn, "KZ-AST"));
	cr_assert(!risk_office_params_own(conn, "KZ-ALA"));
	risk_office_params_load(conn, "KZ-AST", &p);
	cr_assert_float_eq(p.red_threshold, 99, 1e-9);
	risk_office_params_load(conn, "KZ-ALA", &p);
	cr_assert_float_eq(p.red_threshold, 70, 1e-9);
	cr_assert(!risk_office_code_valid("KZ ALA; DROP"));
	cr_assert(risk_office_code_valid("*"));
}

Test(risk_assess, declaration_garbage_is_refused_and_nothing_is_stored)
{
	struct trade_item bad_hs = {"85A7", "CN", 1, 1, 0}, neg = {"851712", "CN", -1, 1, 0};
	struct trade_declaration d = {.number = "G-1",
				      .direction = "import",
				      .office = "KZ-ALA",
				      .lodged_on = today,
				      .items = &bad_hs,
				      .nitems = 1};
	struct store_stmt *stmt;
	char id[CV_UUID_STR];
	struct cv_error err;

	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "hs");
	d.items = &neg;
	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_EINVAL);
	d.direction = "sideways";
	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "direction");
	d.direction = "import";
	d.lodged_on = "soon";
	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_EINVAL);
	d.lodged_on = today;
	d.nitems = 0;
	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_EINVAL);
	cr_assert_eq(store_query_row(conn, &stmt, "SELECT COUNT(*) FROM declarations", ""), CV_OK);
	cr_assert_eq(store_col_int64(stmt, 0), 0);
	store_finish(stmt);
	lodge("DUP", "KZ1", "851712", 1, 1, 0, NULL);
	d.number = "DUP";
	d.items = &(struct trade_item){"851712", "CN", 1, 1, 0};
	d.nitems = 1;
	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_ECONFLICT);
}

/* A registered operator with an authorization of type in status, and a compliance score. */
static void authorize(const char *tin, const char *type, const char *status, double score)
{
	const char *now = "2026-01-01T00:00:00Z";

	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO countries (code, alpha3, numeric, name) VALUES ('KZ', 'KAZ', '398',"
				 " 'Kazakhstan') ON CONFLICT DO NOTHING",
				 ""),
		     CV_OK);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO operators (id, tin, name, country, created_at)"
				 " VALUES ($1, $1, 'Trader', 'KZ', $2)",
				 "tt", tin, now),
		     CV_OK);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO aeo_applications (id, operator_id, type, state, created_by,"
				 " created_at, updated_at) VALUES ($1, $1, $2, 'authorized', 'x', $3, $3)",
				 "ttt", tin, type, now),
		     CV_OK);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO aeo_authorizations (id, number, operator_id, application_id,"
				 " type, status, valid_from, revalidation_due, status_changed_at, created_at)"
				 " VALUES ($1, $1, $1, $1, $2, $3, '2026-01-01', '2029-01-01', $4, $4)",
				 "tttt", tin, type, status, now),
		     CV_OK);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO scoresheets (operator_id, score, grade, declarations, events,"
				 " indicators, computed_on, computed_at) VALUES ($1, $2, 'AA', 10, 10, '{}',"
				 " '2026-01-01', $3)",
				 "tdt", tin, score, now),
		     CV_OK);
}

Test(risk_assess, the_traders_valid_authorization_and_compliance_score_count)
{
	json_t *d;

	activate("profile PHONES \"phones\" when hs startswith \"8517\" then score 45 end\n"
		 "profile LOW \"low compliance\" when compliance_score < 50 and importer startswith "
		 "\"KZ\" then score 30 end\n");
	authorize("KZ111", "AEOS", "valid", 90);
	authorize("KZ222", "AEOS", "suspended", 90);
	authorize("KZ333", "AEOC", "valid", 40);
	lodge("A-1", "KZ111", "851712", 10000, 100, 0, NULL);
	lodge("A-2", "KZ222", "851712", 10000, 100, 0, NULL);
	lodge("A-3", "KZ333", "851712", 10000, 100, 0, NULL);
	d = assess("A-1");
	cr_assert_str_eq(json_string_value(json_object_get(d, "aeo")), "AEOS");
	cr_assert_str_eq(json_string_value(json_object_get(d, "lane")), "blue", "45 - 20 = 25");
	json_decref(d);
	cr_assert_str_eq(lane_of("A-2"), "yellow", "a suspended authorization gives nothing");
	cr_assert_str_eq(lane_of("A-3"), "yellow", "45 + 30 (score 40 < 50) - 10 = 65; 35 without");
}

/* ---- mutual recognition: partner AEOs ---- */

static void lodge_dispatched(const char *number, const char *seller, const char *departure)
{
	struct trade_item item = {"851712", "CN", 10000, 100, 5};
	struct trade_declaration d = {.number = number,
				      .direction = "import",
				      .office = "KZ-ALA",
				      .importer = "KZ999",
				      .seller = seller,
				      .departure = departure,
				      .source = "api",
				      .lodged_on = today,
				      .items = &item,
				      .nitems = 1};
	char id[CV_UUID_STR];
	struct cv_error err;

	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_OK, "%s", err.message);
}

static int record_partner_aeo(const char *status, const char *issued_at)
{
	struct partner_aeo e = {"UZ",         "UZ-305123456", "Samarkand Textiles", "UZ-AEO-0042",
				"AEOS",       status,         "2026-01-01",         NULL,
				"urn:uuid:1", issued_at};
	struct cv_error err;
	int applied;

	cr_assert_eq(partner_aeo_record(conn, &e, "2026-11-28T00:00:00Z", &applied, &err), CV_OK,
		     "%s", err.message);
	return applied;
}

Test(risk_assess, a_valid_partner_aeo_seller_gives_the_mra_benefit_until_suspended)
{
	json_t *d;

	activate("profile PHONES \"phones\" when hs startswith \"8517\" then score 45 end\n");
	cr_assert_eq(record_partner_aeo("valid", "2026-11-01T10:00:00Z"), 1);
	lodge_dispatched("P-1", "UZ-305123456", "UZ");
	lodge_dispatched("P-2", "UZ-305123456", "CN"); /* the same number in another country */
	lodge_dispatched("P-3", "UZ-000000000", "UZ");
	d = assess("P-1");
	cr_assert_str_eq(json_string_value(json_object_get(d, "aeo")), "partner");
	cr_assert_str_eq(json_string_value(json_object_get(d, "lane")), "blue", "45 - 15 = 30");
	json_decref(d);
	cr_assert_str_eq(lane_of("P-2"), "yellow", "dispatched from elsewhere: no benefit");
	cr_assert_str_eq(lane_of("P-3"), "yellow", "not a partner AEO");

	/* An older statement delivered late changes nothing; a newer suspension does. */
	cr_assert_eq(record_partner_aeo("suspended", "2026-10-01T10:00:00Z"), 0);
	cr_assert_str_eq(lane_of("P-1"), "blue");
	cr_assert_eq(record_partner_aeo("suspended", "2026-11-20T10:00:00+05:00"), 1);
	cr_assert_eq(record_partner_aeo("suspended", "2026-11-20T05:00:00Z"), 0, "a replay");
	cr_assert_str_eq(lane_of("P-1"), "yellow", "suspended: the benefit stops");
}

Test(risk_assess, partner_aeo_garbage_is_refused_by_member)
{
	struct {
		struct partner_aeo e;
		const char *field;
	} bad[] = {
		{{"uz", "X", "N", "A", "AEOS", "valid", "2026-01-01", NULL, "c",
		  "2026-01-01T00:00:00Z"},
		 "country"},
		{{"UZ", "", "N", "A", "AEOS", "valid", "2026-01-01", NULL, "c",
		  "2026-01-01T00:00:00Z"},
		 "operator_id"},
		{{"UZ", "X", "N", "A", "AEO", "valid", "2026-01-01", NULL, "c",
		  "2026-01-01T00:00:00Z"},
		 "aeo_type"},
		{{"UZ", "X", "N", "A", "AEOS", "gone", "2026-01-01", NULL, "c",
		  "2026-01-01T00:00:00Z"},
		 "status"},
		{{"UZ", "X", "N", "A", "AEOS", "valid", "01.01.2026", NULL, "c",
		  "2026-01-01T00:00:00Z"},
		 "valid_from"},
		{{"UZ", "X", "N", "A", "AEOS", "valid", "2026-01-01", "never", "c",
		  "2026-01-01T00:00:00Z"},
		 "valid_until"},
		{{"UZ", "X", "N", "A", "AEOS", "valid", "2026-01-01", NULL, "c", "yesterday"},
		 "issued_at"},
	};
	json_t *all;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cv_error err;
		int applied = 1;
		cr_assert_eq(partner_aeo_record(conn, &bad[i].e, "2026-11-28T00:00:00Z", &applied,
						&err),
			     CV_EINVAL, "case %zu accepted", i);
		cr_assert_str_eq(err.field, bad[i].field);
		cr_assert_eq(applied, 0);
	}
	cr_assert_eq(partner_aeo_list(conn, NULL, NULL, &all), CV_OK);
	cr_assert_eq(json_array_size(all), 0, "nothing half-written");
	json_decref(all);
}

/* ---- advance cargo data from partners ---- */

static void lodge_with_advance(const char *number, const char *hs, double mass,
			       const char *departure, const char *reference)
{
	struct trade_item item = {hs, "UZ", 10000, mass, 5};
	const struct trade_document docs[] = {{ADVANCE_CARGO_DOCUMENT_TYPE, reference}};
	struct trade_declaration d = {.number = number,
				      .direction = "import",
				      .office = "KZ-ALA",
				      .importer = "KZ999",
				      .departure = departure,
				      .source = "api",
				      .lodged_on = today,
				      .items = &item,
				      .nitems = 1,
				      .documents = docs,
				      .ndocuments = reference ? 1 : 0};
	char id[CV_UUID_STR];
	struct cv_error err;

	cr_assert_eq(trade_declaration_insert(conn, &d, id, &err), CV_OK, "%s", err.message);
}

Test(risk_assess, advance_match_is_true_only_when_the_partners_data_agrees)
{
	const struct advance_cargo_item items[] = {{"520811", "UZ", 20, "ROL", 1000},
						   {"620342", "UZ", 500, "PCE", 200}};
	struct advance_cargo a = {"urn:uuid:acd-1",
				  "UZ",
				  "UZ-EX-2026-0000007",
				  "UZ-305123456",
				  "KZ999",
				  "3",
				  NULL,
				  "MSCU1234565",
				  items,
				  2,
				  "{\"signed\":true}"};
	struct cv_error err;
	int applied;

	activate("profile NOACD \"no matching advance data\" when advance_match = false"
		 " then score 45 end\n");
	cr_assert_eq(advance_cargo_record(conn, &a, "2026-11-28T00:00:00Z", &applied, &err), CV_OK,
		     "%s", err.message);
	cr_assert_eq(applied, 1);
	cr_assert_eq(advance_cargo_record(conn, &a, "2026-11-28T00:00:01Z", &applied, &err), CV_OK);
	cr_assert_eq(applied, 0, "the same document twice is stored once");

	lodge_with_advance("ACD-1", "520811", 1050, "UZ", "UZ-EX-2026-0000007");
	lodge_with_advance("ACD-2", "520812", 900, "UZ", "UZ-EX-2026-0000007");
	lodge_with_advance("ACD-3", "520811", 1300, "UZ", "UZ-EX-2026-0000007");
	lodge_with_advance("ACD-4", "520811", 900, "CN", "UZ-EX-2026-0000007");
	lodge_with_advance("ACD-5", "520811", 900, "UZ", NULL);
	lodge_with_advance("ACD-6", "520811", 900, "UZ", "UZ-EX-2026-0000999");
	cr_assert_str_eq(lane_of("ACD-1"), "green", "announced, 5 %% more mass than announced");
	cr_assert_str_eq(lane_of("ACD-2"), "yellow", "a subheading that was not announced");
	cr_assert_str_eq(lane_of("ACD-3"), "yellow", "30 %% more mass than announced");
	cr_assert_str_eq(lane_of("ACD-4"), "yellow", "dispatched from another country");
	cr_assert_str_eq(lane_of("ACD-5"), "yellow", "no advance data referenced");
	cr_assert_str_eq(lane_of("ACD-6"), "yellow", "advance data never received");
}

Test(risk_assess, advance_cargo_garbage_is_refused_by_member_and_nothing_is_stored)
{
	const struct advance_cargo_item good[] = {{"520811", "UZ", 1, "ROL", 10}};
	const struct advance_cargo_item bad_hs[] = {{"52A811", "UZ", 1, "ROL", 10}};
	const struct advance_cargo_item negative[] = {{"520811", "UZ", 1, "ROL", -10}};
	struct {
		struct advance_cargo a;
		const char *field;
	} bad[] = {
		{{"", "UZ", "E-1", "", "", "", NULL, "", good, 1, "{}"}, "id"},
		{{"d", "Uzbekistan", "E-1", "", "", "", NULL, "", good, 1, "{}"}, "country"},
		{{"d", "UZ", "", "", "", "", NULL, "", good, 1, "{}"}, "export_number"},
		{{"d", "UZ", "E-1", "", "", "", "tomorrow", "", good, 1, "{}"}, "expected_arrival"},
		{{"d", "UZ", "E-1", "", "", "", NULL, "", good, 0, "{}"}, "items"},
		{{"d", "UZ", "E-1", "", "", "", NULL, "", bad_hs, 1, "{}"}, "items"},
		{{"d", "UZ", "E-1", "", "", "", NULL, "", negative, 1, "{}"}, "items"},
		{{"d", "UZ", "E-1", "", "", "", NULL, "", good, 1, ""}, "document"},
	};
	struct store_stmt *s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cv_error err;
		int applied = 1;
		cr_assert_eq(advance_cargo_record(conn, &bad[i].a, "2026-11-28T00:00:00Z", &applied,
						  &err),
			     CV_EINVAL, "case %zu accepted", i);
		cr_assert_str_eq(err.field, bad[i].field, "case %zu", i);
		cr_assert_eq(applied, 0);
	}
	cr_assert_eq(store_query_row(conn, &s, "SELECT count(*) FROM advance_cargo", ""), CV_OK);
	cr_assert_eq(store_col_int64(s, 0), 0);
	store_finish(s);
}

/* ---- what partners send: the inbox handlers on garbage ---- */

static struct exchange_inbox_message inbox_message(const struct exchange_partner *p, json_t *doc)
{
	struct exchange_inbox_message m = {"row-1", p, "urn:uuid:doc-1", "T", doc, 1795000000000LL};
	return m;
}

/* What a partner sends: the envelope of type around subject (taken; NULL: none). */
static json_t *partner_document(const char *type, json_t *subject)
{
	json_t *doc = json_pack("{s:[s], s:s, s:[s, s], s:s, s:s}", "@context",
				"https://www.w3.org/ns/credentials/v2", "id", "urn:uuid:doc-1",
				"type", "VerifiableCredential", type, "issuer", "did:web:uz",
				"validFrom", "2026-11-28T00:00:00.250Z");

	if (subject)
		json_object_set_new(doc, "credentialSubject", subject);
	return doc;
}

static json_t *aeo_subject(const char *type)
{
	return json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}}", "operator",
			 "identification", "305123456", "name", "Samarkand Textiles", "country",
			 "UZ", "authorization", "number", "UZ-AEO-1", "type", type, "status",
			 "valid", "validFrom", "2026-01-01", "statusChangedAt",
			 "2026-01-01T09:00:00Z");
}

Test(risk_assess, an_aeo_status_from_a_partner_without_mra_or_malformed_is_refused)
{
	struct exchange_partner p = {.id = "partner-1", .country = "UZ", .did = "did:web:uz"};
	json_t *no_subject = partner_document(EXCHANGE_AEO_STATUS_TYPE, NULL);
	json_t *bad_type = partner_document(EXCHANGE_AEO_STATUS_TYPE, aeo_subject("AEO"));
	json_t *good = partner_document(EXCHANGE_AEO_STATUS_TYPE, aeo_subject("AEOS"));
	struct exchange_inbox_message m = inbox_message(&p, no_subject);
	struct cv_error err;
	json_t *all;

	cr_assert_eq(exchange_mra_receive(conn, &m, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "credentialSubject");
	m = inbox_message(&p, bad_type);
	cr_assert_eq(exchange_mra_receive(conn, &m, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "credentialSubject.authorization.type", "the reader's member");
	cr_assert(strstr(err.message, "must be one of AEOC, AEOS, AEOF"), "%s", err.message);
	m = inbox_message(&p, good);
	cr_assert_eq(exchange_mra_receive(conn, &m, &err), CV_EPERM, "no MRA with UZ here");
	cr_assert(strstr(err.message, "no mutual recognition agreement"), "%s", err.message);
	cr_assert_eq(partner_aeo_list(conn, NULL, NULL, &all), CV_OK);
	cr_assert_eq(json_array_size(all), 0, "nothing recorded");
	json_decref(all);
	json_decref(no_subject);
	json_decref(bad_type);
	json_decref(good);
}

static json_t *cargo_subject(json_t *items)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:[s, s]}, s:o}", "exportDeclaration", "UZ-EX-1",
			 "destinationCountry", "KZ", "exporter", "UZ305123456", "transport", "mode",
			 "3", "containers", "MSCU1234566", "CSQU3054383", "items", items);
}

Test(risk_assess, advance_cargo_from_a_partner_is_stored_once_and_garbage_refused)
{
	struct exchange_partner p = {.id = "partner-1", .country = "UZ", .did = "did:web:uz"};
	json_t *bad = partner_document(ADVANCE_CARGO_TYPE, cargo_subject(json_string("many")));
	json_t *bad_hs =
		partner_document(ADVANCE_CARGO_TYPE,
				 cargo_subject(
					 json_pack("[{s:s, s:s, s:i, s:s, s:i}, {s:s, s:s, s:i, s:s, s:i}]",
						   "hs", "520811", "origin", "UZ", "quantity", 20,
						   "unit", "ROL", "netMass", 1000, "hs", "52A811",
						   "origin", "UZ", "quantity", 20, "unit", "ROL",
						   "netMass", 1000)));
	json_t *good = partner_document(ADVANCE_CARGO_TYPE,
					cargo_subject(json_pack("[{s:s, s:s, s:i, s:s, s:i}]", "hs",
								"520811", "origin", "UZ", "quantity",
								20, "unit", "ROL", "netMass", 1000)));
	struct exchange_inbox_message m = inbox_message(&p, bad);
	struct store_stmt *s;
	struct cv_error err;

	cr_assert_eq(advance_cargo_receive(conn, &m, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "credentialSubject.items");
	m = inbox_message(&p, bad_hs);
	cr_assert_eq(advance_cargo_receive(conn, &m, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "credentialSubject.items[1].hs");
	/* Bound for KZ: a node of another country refuses it. */
	m = inbox_message(&p, good);
	m.node_country = "TJ";
	cr_assert_eq(advance_cargo_receive(conn, &m, &err), CV_EPERM);
	cr_assert_str_eq(err.field, "credentialSubject.destinationCountry");
	m.node_country = "KZ";
	cr_assert_eq(advance_cargo_receive(conn, &m, &err), CV_OK, "%s", err.message);
	cr_assert_eq(advance_cargo_receive(conn, &m, &err), CV_OK, "a replay changes nothing");
	cr_assert_eq(store_query_row(conn, &s,
				     "SELECT count(*), max(containers), max(country) FROM advance_cargo",
				     ""),
		     CV_OK);
	cr_assert_eq(store_col_int64(s, 0), 1);
	cr_assert_str_eq(store_col_text(s, 1), "MSCU1234566 CSQU3054383");
	cr_assert_str_eq(store_col_text(s, 2), "UZ", "the sender's registered country");
	store_finish(s);
	json_decref(bad);
	json_decref(bad_hs);
	json_decref(good);
}
