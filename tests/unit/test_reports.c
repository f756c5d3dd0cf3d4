/*
 * test_reports.c — release times and green savings on a fixture with
 * answers worked out by hand.
 */
#include "base/ids.h"
#include "base/log.h"
#include "report/green.h"
#include "report/release_times.h"
#include "store/migrate.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/caravan-reports-XXXXXX";
static struct store *store;
static struct store_conn *conn;

/* A released declaration: lodged, arrived (or NULL) and released at these times. */
static void released(const char *n, const char *lane, const char *aeo, const char *lodged,
		     const char *arrived, const char *at)
{
	char decision[32];

	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO declarations (id, number, direction, office, status, source,"
				 " document, lodged_on, lodged_at, arrived_at, released_at)"
				 " VALUES ($1, $1, 'import', 'KZ-ALA', 'released', 'api', '{}', substr($2, 1, 10),"
				 " $2, $3, $4)",
				 "tttt", n, lodged, arrived, at),
		     0);
	snprintf(decision, sizeof(decision), "R-%s", n);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO risk_decisions (id, declaration_id, lane, score,"
				 " random_selected, aeo, explanation, decided_at, decided_on)"
				 " VALUES ($1, $2, $3, 0, 0, $4, '{}', $5, substr($5, 1, 10))",
				 "ttttt", decision, n, lane, aeo, lodged),
		     0);
}

static void setup(void)
{
	char url[128];

	cv_log_set_level(CV_LOG_OFF);
	cr_assert_eq(cv_ids_init(), 0);
	cr_assert(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/a.db", dir);
	cr_assert_eq(store_open(url, &store, NULL), 0);
	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_eq(store_migrate(conn, NULL, NULL), 0);
	/*                      lane     AEO     lodged                 arrived                released */
	released("D1", "green", "none", "2026-10-05T10:00:00Z", "2026-10-05T11:00:00Z",
		 "2026-10-05T11:30:00Z");
	released("D2", "red", "none", "2026-10-06T08:00:00Z", "2026-10-06T09:00:00Z",
		 "2026-10-06T13:00:00Z");
	released("D3", "green", "AEOC", "2026-10-07T10:00:00Z", "2026-10-07T10:10:00Z",
		 "2026-10-07T10:20:00Z");
	released("D4", "green", "none", "2026-09-01T10:00:00Z", "2026-09-01T11:00:00Z",
		 "2026-09-01T12:00:00Z");
	released("D5", "green", "none", "2026-10-31T09:00:00Z", NULL, "2026-10-31T09:45:00Z");
}

static void teardown(void)
{
	char cmd[128];

	store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(reports, .init = setup, .fini = teardown, .timeout = 120);

static json_t *measure(json_t *r, const char *group, const char *what)
{
	return json_object_get(json_object_get(json_object_get(r, "groups"), group), what);
}

static double number(json_t *m, const char *key)
{
	return json_number_value(json_object_get(m, key));
}

Test(reports, release_times_count_mean_median_and_p90_by_lane_and_aeo)
{
	struct cv_error err;
	json_t *r, *m;

	cr_assert_eq(report_release_times(conn, "2026-10-01", "2026-10-31", "", &r, &err), 0, "%s",
		     err.message);
	/* Lodgement to release: 90, 300, 20, 45 minutes (D4 is in September). */
	m = measure(r, "all", "lodgement_to_release");
	cr_assert_eq(json_integer_value(json_object_get(m, "count")), 4);
	cr_assert_float_eq(number(m, "mean"), 113.75, 1e-9);
	cr_assert_float_eq(number(m, "median"), 67.5, 1e-9);
	cr_assert_float_eq(number(m, "p90"), 237, 1e-9, "90 + 0.7 x (300 - 90)");
	/* Arrival to release: 30, 240, 10 (D5's arrival is unknown). */
	m = measure(r, "all", "arrival_to_release");
	cr_assert_eq(json_integer_value(json_object_get(m, "count")), 3);
	cr_assert_float_eq(number(m, "mean"), 280.0 / 3, 1e-9);
	cr_assert_float_eq(number(m, "median"), 30, 1e-9);
	cr_assert_float_eq(number(m, "p90"), 198, 1e-9);
	/* What AEO status is worth. */
	cr_assert_float_eq(number(measure(r, "aeo", "lodgement_to_release"), "mean"), 20, 1e-9);
	cr_assert_float_eq(number(measure(r, "non_aeo", "lodgement_to_release"), "mean"), 145, 1e-9);
	cr_assert_eq(json_integer_value(
			     json_object_get(measure(r, "red", "arrival_to_release"), "count")),
		     1);
	cr_assert(json_is_null(json_object_get(measure(r, "yellow", "arrival_to_release"), "mean")),
		  "no yellow lane: no figure");
	json_decref(r);
	cr_assert_eq(report_release_times(conn, "2026-10-01", "2026-10-31", "KZ-AST", &r, &err), 0);
	cr_assert_eq(json_integer_value(
			     json_object_get(measure(r, "all", "lodgement_to_release"), "count")),
		     0, "another office");
	json_decref(r);
	cr_assert_eq(report_release_times(conn, "2026-10-31", "2026-10-01", "", &r, &err),
		     CV_EINVAL);
	cr_assert_eq(report_release_times(conn, "October", "2026-10-31", "", &r, &err), CV_EINVAL);
}

Test(reports, green_savings_follow_the_coefficients_file)
{
	struct cv_error err;
	json_t *r, *total;

	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO payments (id, declaration_id, reference, amount, method, paid_at,"
				 " recorded_by) VALUES ('P1', 'D1', 'R1', 100, 'card', '2026-10-05T11:00:00Z', 't'),"
				 " ('P2', 'D2', 'R2', 100, 'card', '2026-10-06T09:00:00Z', 't')",
				 ""),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO countries (code, alpha3, numeric, name) VALUES ('KZ', 'KAZ', '398', 'KZ');"
				 "",
				 ""),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO agencies (code, name, created_at) VALUES ('A', 'A', 'x')",
				 ""),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO operators (id, tin, name, country, created_at)"
				 " VALUES ('op', 'KZ1', 'T', 'KZ', 'x')",
				 ""),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO lpcos (id, number, type, agency, operator_id, status, valid_from,"
				 " valid_to, applied_by, applied_at, decided_at) VALUES"
				 " ('L1', 'N1', 'PHYTOSANITARY-CERTIFICATE', 'A', 'op', 'issued', '2026-10-01',"
				 " '2026-12-01', 't', 'x', '2026-10-02T10:00:00Z'),"
				 " ('L2', 'N2', 'ODS-LICENCE', 'A', 'op', 'issued', '2026-10-01', '2026-12-01',"
				 " 't', 'x', '2026-10-03T10:00:00Z')",
				 ""),
		     0);
	cr_assert_eq(report_green(conn, "data/green/coefficients.json", "2026-10-01", "2026-10-31",
				  &r, &err),
		     0, "%s", err.message);
	total = json_object_get(r, "total");
	/* 4 declarations x (3.6 sheets, 41.4 km); 2 payments x (1, 11.3); 2 certificates x 1 sheet. */
	cr_assert_float_eq(number(total, "sheets"), 14.4 + 2 + 1 + 1, 1e-9);
	cr_assert_float_eq(number(total, "km"), 165.6 + 22.6, 1e-9);
	/* Paper 0.0681 and travel 0.171 per unit; the ePhyto certificate's measured 8.4. */
	cr_assert_float_eq(number(total, "kg_co2e"),
			   (14.4 + 2 + 1) * 0.0681 + (165.6 + 22.6) * 0.171 + 8.4, 1e-9);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(json_object_get(r, "by_document"),
							     "declaration"),
					     "documents")),
		     4);
	json_decref(r);
	cr_assert_eq(report_green(conn, "/nonexistent/coefficients.json", "2026-10-01",
				  "2026-10-31", &r, &err),
		     CV_EINTERNAL);
	cr_assert(strstr(err.message, "cannot read"), "%s", err.message);
}
