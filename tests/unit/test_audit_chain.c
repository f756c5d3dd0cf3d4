/* test_audit_chain.c — the hash chain of the audit log, on a real SQLite file. */
#include "audit/audit.h"
#include "base/ids.h"
#include "store/migrate.h"

#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[] = "/tmp/caravan-audit-XXXXXX";
static struct store *store;
static struct store_conn *conn;

static void setup(void) { test_store_make(dir, &store, &conn, 0); }

static void teardown(void) { test_store_remove(store, dir); }

TestSuite(audit_chain, .init = setup, .fini = teardown);

static void append(const char *action, const char *detail)
{
	struct audit_event ev = {"tester", action, "thing", "42", detail};

	cr_assert_eq(store_begin(conn), 0);
	cr_assert_eq(audit_append(conn, &ev, NULL, NULL), 0);
	cr_assert_eq(store_commit(conn), 0);
}

static struct audit_verify_result verify(void)
{
	struct audit_verify_result r;

	cr_assert_eq(audit_verify(conn, &r, NULL), 0);
	return r;
}

Test(audit_chain, empty_log_is_intact)
{
	struct audit_verify_result r = verify();

	cr_assert_eq(r.rows, 0);
	cr_assert_eq(r.broken_seq, 0);
}

Test(audit_chain, appended_rows_verify_and_are_numbered_from_one)
{
	int64_t seq;
	struct audit_event ev = {"tester", "x.y", NULL, NULL, NULL};

	append("a.one", "{\"k\":1}");
	append("a.two", NULL);
	cr_assert_eq(store_begin(conn), 0);
	cr_assert_eq(audit_append(conn, &ev, &seq, NULL), 0);
	cr_assert_eq(store_commit(conn), 0);
	cr_assert_eq(seq, 3);
	cr_assert_eq(verify().rows, 3);
	cr_assert_eq(verify().broken_seq, 0);
}

Test(audit_chain, rolled_back_append_leaves_no_trace)
{
	struct audit_event ev = {"tester", "gone", NULL, NULL, NULL};

	append("kept", NULL);
	cr_assert_eq(store_begin(conn), 0);
	cr_assert_eq(audit_append(conn, &ev, NULL, NULL), 0);
	cr_assert_eq(store_rollback(conn), 0);
	append("kept.too", NULL);
	cr_assert_eq(verify().rows, 2);
	cr_assert_eq(verify().broken_seq, 0);
}

Test(audit_chain, changing_a_field_breaks_the_chain_at_that_row)
{
	struct audit_verify_result r;

	for (int i = 0; i < 5; i++)
		append("step", NULL);
	cr_assert_eq(store_exec_script(conn,
				       "DROP TRIGGER audit_log_no_update;"
				       "UPDATE audit_log SET detail = '{\"forged\":true}' WHERE seq = 3",
				       NULL),
		     0);
	r = verify();
	cr_assert_eq(r.broken_seq, 3, "reason: %s", r.reason);
}

Test(audit_chain, recomputing_one_rows_hash_still_breaks_the_next_row)
{
	struct audit_verify_result r;

	for (int i = 0; i < 4; i++)
		append("step", NULL);
	/* A forger who edits row 2 and fixes its hash cannot fix row 3's prev_hash. */
	cr_assert_eq(store_exec_script(conn,
				       "DROP TRIGGER audit_log_no_update;"
				       "UPDATE audit_log SET hash = 'ff' WHERE seq = 2",
				       NULL),
		     0);
	r = verify();
	cr_assert(r.broken_seq == 2 || r.broken_seq == 3, "broken at %lld", (long long)r.broken_seq);
}

Test(audit_chain, a_deleted_middle_row_is_a_gap)
{
	struct audit_verify_result r;

	for (int i = 0; i < 4; i++)
		append("step", NULL);
	cr_assert_eq(store_exec_script(conn,
				       "DROP TRIGGER audit_log_no_delete;"
				       "DELETE FROM audit_log WHERE seq = 2",
				       NULL),
		     0);
	r = verify();
	cr_assert_eq(r.broken_seq, 2, "reason: %s", r.reason);
}
