/*
 * gen.c — make a database for bench-scoresheet: N operators and M
 * compliance events spread over the scoring window, shaped like a real
 * flow (mostly declarations; examinations for a few percent of them, a
 * tail of infringements, late payments and findings; a minority of
 * operators with bad records).
 *
 * usage: gen DB_PATH DATA_DIR OPERATORS EVENTS
 * Rows are written straight with SQL in large transactions (the domain
 * functions validate one event at a time and rescore; that is not what is
 * being measured here). Deterministic: the same arguments give the same data.
 */
#include "base/clock.h"
#include "base/ids.h"
#include "refdata/refdata.h"
#include "store/db.h"
#include "store/migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long rng = 88172645463325252ULL;

static unsigned long long next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

static void die(const char *what, struct store_conn *conn)
{
	fprintf(stderr, "gen: %s: %s\n", what, conn ? store_errmsg(conn) : "");
	exit(1);
}

int main(int argc, char **argv)
{
	struct store *store;
	struct store_conn *conn;
	struct refdata_counts counts;
	struct cv_error err;
	long operators, events, per_commit = 200000, written = 0;
	int64_t today;
	char url[1100], today_text[CV_DATE_MAX], **ids;
	int tty = isatty(STDERR_FILENO);

	if (argc != 5) {
		fprintf(stderr, "usage: gen DB_PATH DATA_DIR OPERATORS EVENTS\n");
		return 2;
	}
	operators = atol(argv[3]);
	events = atol(argv[4]);
	snprintf(url, sizeof(url), "sqlite:%s", argv[1]);
	cv_ids_init();
	cv_error_clear(&err);
	if (store_open(url, &store, &err) || store_conn(store, &conn, &err) ||
	    store_migrate(conn, NULL, &err) || refdata_load(conn, argv[2], NULL, &counts, &err)) {
		fprintf(stderr, "gen: %s\n", err.message);
		return 1;
	}
	cv_date_from_ms(cv_clock_now_ms(), today_text);
	cv_date_parse(today_text, &today);
	ids = calloc((size_t)operators, sizeof(char *));
	if (store_begin(conn))
		die("begin", conn);
	for (long i = 0; i < operators; i++) {
		char tin[32], name[64], id[CV_UUID_STR];
		cv_uuid7(id);
		ids[i] = strdup(id);
		snprintf(tin, sizeof(tin), "KZ%012ld", i + 1);
		snprintf(name, sizeof(name), "bench operator %ld", i + 1);
		if (store_execf(conn, NULL,
				"INSERT INTO operators (id, tin, name, country, created_at, roles, updated_at, name_search)"
				" VALUES ($1, $2, $3, 'KZ', $4, 'importer', $4, $3)",
				"tttt", id, tin, name, "2026-01-01T00:00:00Z"))
			die("operator", conn);
	}
	for (long e = 0; e < events; e++) {
		/* A fifth of the operators lodge most declarations: pick by a skewed draw. */
		double u = uniform();
		long op = (long)(u * u * (double)operators);
		double r = uniform(), bad = (op % 10 == 0) ? 4.0 : 1.0; /* one operator in ten is careless */
		const char *kind = "declaration_lodged", *outcome = "";
		int days_late = 0;
		int64_t day = today - (int64_t)(uniform() * 1095);
		char id[CV_UUID_STR], on[CV_DATE_MAX];

		if (r < 0.05) {
			kind = "examination";
			double q = uniform() / bad;
			outcome = q < 0.02 ? "seizure" : q < 0.06 ? "major" : q < 0.14 ? "minor" : "clean";
		} else if (r < 0.08) {
			kind = "declaration_amended";
		} else if (r < 0.08 + 0.004 * bad) {
			kind = "infringement";
			outcome = uniform() < 0.7 ? "minor" : uniform() < 0.8 ? "major" : "critical";
		} else if (r < 0.10 + 0.004 * bad) {
			kind = "late_payment";
			days_late = 1 + (int)(uniform() * 20);
		} else if (r < 0.105 + 0.003 * bad) {
			kind = uniform() < 0.5 ? "pga_finding" : "audit_finding";
			outcome = uniform() < 0.8 ? "minor" : "major";
		} else if (r < 0.106 + 0.003 * bad) {
			kind = "voluntary_disclosure";
		}
		cv_uuid7(id);
		cv_date_from_ms(day * 86400000, on);
		if (store_execf(conn, NULL,
				"INSERT INTO compliance_events (id, operator_id, kind, outcome, days_late, occurred_on,"
				" day, source, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'bench',"
				" 'bench', '2026-01-01T00:00:00Z')",
				"ttttiti", id, ids[op], kind, outcome, (int64_t)days_late, on, day))
			die("event", conn);
		if (++written % per_commit == 0) {
			if (store_commit(conn) || store_begin(conn))
				die("commit", conn);
			if (tty)
				fprintf(stderr, "\rgenerating events: %ld / %ld (%ld%%)   ", written, events,
					written * 100 / events);
		}
	}
	if (store_commit(conn))
		die("commit", conn);
	if (tty)
		fprintf(stderr, "\n");
	fprintf(stderr, "gen: %ld operators, %ld events in %s\n", operators, events, argv[1]);
	for (long i = 0; i < operators; i++)
		free(ids[i]);
	free(ids);
	store_close(store);
	return 0;
}
