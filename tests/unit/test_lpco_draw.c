/*
 * test_lpco_draw.c — two declarations racing for the last quantity of a
 * licence, on two connections to one SQLite file: exactly one gets it, the
 * balance never goes below zero.
 */
#include "base/clock.h"
#include "base/ids.h"
#include "base/log.h"
#include "store/migrate.h"
#include "trade/declarations.h"
#include "trade/lpco.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/caravan-lpco-XXXXXX";
static char url[128];
static struct store *store;

static void setup(void)
{
	struct store_conn *conn;
	const char *now = "2026-01-01T00:00:00Z";

	cv_log_set_level(CV_LOG_OFF);
	cr_assert_eq(cv_ids_init(), 0);
	cr_assert(mkdtemp(dir));
	snprintf(url, sizeof(url), "sqlite:%s/a.db", dir);
	cr_assert_eq(store_open(url, &store, NULL), 0);
	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_eq(store_migrate(conn, NULL, NULL), 0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO countries (code, alpha3, numeric, name) VALUES ('KZ', 'KAZ',"
				 " '398', 'Kazakhstan')",
				 ""),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO agencies (code, name, created_at, authorities)"
				 " VALUES ('KZ-MEN', 'Ecology', $1, 'environment')",
				 "t", now),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO operators (id, tin, name, country, created_at)"
				 " VALUES ('op', 'KZ111', 'Trader', 'KZ', $1)",
				 "t", now),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO lpcos (id, number, type, agency, operator_id, status, valid_from,"
				 " valid_to, applied_by, applied_at) VALUES ('l1', 'KZ-MEN-2026-000001',"
				 " 'ODS-LICENCE', 'KZ-MEN', 'op', 'issued', '2026-01-01', '2099-01-01', 't', $1)",
				 "t", now),
		     0);
	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO lpco_lines (lpco_id, line, hs, description, unit, requested,"
				 " granted) VALUES ('l1', 1, '290341', 'HFC', 'KGM', 10, 10)",
				 ""),
		     0);
	for (int i = 1; i <= 2; i++) {
		struct trade_item item = {"29034100", "CN", 1, 6, 0, .quantity = 6, .unit = "KGM"};
		struct trade_declaration d = {.direction = "import",
					      .office = "KZ-ALA",
					      .lodged_on = "2026-06-01",
					      .items = &item,
					      .nitems = 1};
		char number[16], id[CV_UUID_STR];
		snprintf(number, sizeof(number), "D-%d", i);
		d.number = number;
		cr_assert_eq(trade_declaration_insert(conn, &d, id, NULL), 0);
	}
}

static void teardown(void)
{
	char cmd[128];

	store_close(store);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(lpco_draw, .init = setup, .fini = teardown, .timeout = 120);

struct racer {
	const char *number;
	int rc;
	pthread_barrier_t *start;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct store_conn *conn;
	struct store_stmt *stmt;
	struct cv_error err;
	char id[CV_UUID_STR];

	/* One connection per thread, as in the server. */
	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_eq(store_query_row(conn, &stmt, "SELECT id FROM declarations WHERE number = $1",
				     "t", r->number),
		     0);
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	pthread_barrier_wait(r->start);
	cr_assert_eq(store_begin(conn), 0);
	r->rc = trade_lpco_draw(conn, "KZ-MEN-2026-000001", 1, id, 1, 6, "2026-06-01T10:00:00Z",
				&err);
	if (r->rc)
		store_rollback(conn);
	else
		r->rc = store_commit(conn);
	return NULL;
}

Test(lpco_draw, two_declarations_racing_for_the_last_quantity_cannot_both_have_it)
{
	pthread_barrier_t start;
	struct racer a = {"D-1", -1, &start}, b = {"D-2", -1, &start};
	pthread_t ta, tb;
	struct store_conn *conn;
	struct store_stmt *stmt;

	pthread_barrier_init(&start, NULL, 2);
	pthread_create(&ta, NULL, race, &a);
	pthread_create(&tb, NULL, race, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&start);
	cr_assert((a.rc == 0) != (b.rc == 0), "exactly one wins: %d %d", a.rc, b.rc);
	cr_assert(a.rc == CV_ECONFLICT || b.rc == CV_ECONFLICT, "the other is told it is short");
	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_eq(store_query_row(conn, &stmt,
				     "SELECT used, (SELECT COUNT(*) FROM lpco_uses) FROM lpco_lines",
				     ""),
		     0);
	cr_assert_float_eq(store_col_double(stmt, 0), 6, 1e-9, "4 left, never below zero");
	cr_assert_eq(store_col_int64(stmt, 1), 1, "one use recorded");
	store_finish(stmt);
}

Test(lpco_draw, checking_a_use_names_what_is_wrong)
{
	struct store_conn *conn;
	struct trade_lpco_use use =
		{"KZ-MEN-2026-000001", "ODS-LICENCE", "op", "29034100", 6, "KGM", 6, "2026-06-01"};
	double quantity;
	char why[256];
	int line;

	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)), CV_OK,
		     "%s", why);
	cr_assert_eq(line, 1);
	use.quantity = use.net_mass = 11;
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)),
		     CV_EINVAL);
	cr_assert(strstr(why, "balance of 10"), "%s", why);
	use.quantity = use.net_mass = 1;
	use.date = "2100-01-01";
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)),
		     CV_EINVAL);
	cr_assert(strstr(why, "valid from"), "%s", why);
	use.date = "2026-06-01";
	use.hs = "85171300";
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)),
		     CV_EINVAL);
	cr_assert(strstr(why, "does not cover"), "%s", why);
	use.hs = "29034100";
	use.operator_id = "someone-else";
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)),
		     CV_EINVAL);
	cr_assert(strstr(why, "another operator"), "%s", why);
	use.operator_id = "op";
	use.type = "CITES-PERMIT";
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)),
		     CV_EINVAL);
	use.number = "KZ-MEN-2026-999999";
	cr_assert_eq(trade_lpco_check_use(conn, &use, &line, &quantity, why, sizeof(why)),
		     CV_EINVAL);
	cr_assert(strstr(why, "not issued by this node"), "%s", why);
}
