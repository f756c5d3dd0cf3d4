/* test_store.c — the database interface on SQLite (store/db.h). */
#include "store/db.h"

#include "base/err.h"
#include "base/log.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char store_dir[64];
static char store_url_text[128];
static struct store *st;
static struct store_conn *conn;

static const char store_schema[] =
	"CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, weight REAL, note TEXT);"
	"CREATE TABLE parts (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id));";

static int store_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void store_setup(void)
{
	struct cv_error e;

	cv_log_set_level(CV_LOG_OFF);
	snprintf(store_dir, sizeof(store_dir), "/tmp/cv-store-XXXXXX");
	cr_assert_not_null(mkdtemp(store_dir));
	snprintf(store_url_text, sizeof(store_url_text), "sqlite:%s/test.db", store_dir);
	cv_error_clear(&e);
	cr_assert_eq(store_open(store_url_text, &st, &e), CV_OK, "%s", e.message);
	cr_assert_eq(store_conn(st, &conn, &e), CV_OK, "%s", e.message);
	cr_assert_eq(store_exec_script(conn, store_schema, &e), CV_OK, "%s", e.message);
}

static void store_teardown(void)
{
	store_close(st);
	st = NULL;
	conn = NULL;
	if (store_dir[0])
		nftw(store_dir, store_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store, .init = store_setup, .fini = store_teardown);

/* One integer from a query without parameters, on the given connection. */
static int64_t store_query_int(struct store_conn *c, const char *sql)
{
	struct store_stmt *s;
	int64_t v;

	cr_assert_eq(store_prepare(c, sql, &s), CV_OK, "%s", sql);
	cr_assert_eq(store_step(s), STORE_ROW, "%s", sql);
	v = store_col_int64(s, 0);
	store_finish(s);
	return v;
}

static void store_insert_item(int64_t id, const char *name)
{
	cr_assert_eq(store_execf(conn, NULL, "INSERT INTO items (id, name) VALUES ($1, $2)", "it",
				 id, name),
		     CV_OK, "%s", store_errmsg(conn));
}

/* ---- opening ---- */

Test(store, url_and_engine_are_reported)
{
	cr_assert_str_eq(store_url(st), store_url_text);
	cr_assert_str_eq(store_engine(conn), "sqlite");
}

Test(store, unknown_database_urls_are_rejected)
{
	static const char *const garbage[] =
		{"",          "sqlite",           "SQLITE:x.db",   "mysql://h/db",
		 "file:x.db", "postgresql:/h/db", "var/caravan.db"};
	struct store *other = (struct store *)1;
	struct cv_error e;

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		cv_error_clear(&e);
		cr_assert_eq(store_open(garbage[i], &other, &e), CV_EINVAL, "accepted \"%s\"",
			     garbage[i]);
		cr_assert_null(other);
		cr_assert_str_eq(e.field, "db");
		cr_assert_neq(e.message[0], '\0');
	}
}

Test(store, postgresql_url_fails_with_not_built_yet)
{
	static const char *const urls[] = {"postgresql://u@localhost/caravan",
					   "postgres://u@localhost/caravan"};

	for (size_t i = 0; i < 2; i++) {
		struct store *pg = NULL;
		struct store_conn *c = NULL;
		struct cv_error e;

		cv_error_clear(&e);
		cr_assert_eq(store_open(urls[i], &pg, &e), CV_OK, "%s", e.message);
		cr_assert_eq(store_conn(pg, &c, &e), CV_EUNSUPPORTED, "%s", urls[i]);
		cr_assert(strstr(e.message, "not built yet") != NULL, "%s", e.message);
		store_close(pg);
	}
}

Test(store, sqlite_url_without_path_fails_on_connect)
{
	struct store *s = NULL;
	struct store_conn *c = NULL;
	struct cv_error e;

	cr_assert_eq(store_open("sqlite:", &s, NULL), CV_OK);
	cv_error_clear(&e);
	cr_assert_eq(store_conn(s, &c, &e), CV_EINVAL);
	cr_assert_neq(e.message[0], '\0');
	store_close(s);
}

Test(store, missing_parent_folders_are_created)
{
	struct store *s = NULL;
	struct store_conn *c = NULL;
	struct cv_error e;
	char url[256], path[256];

	snprintf(url, sizeof(url), "sqlite:%s/a/b/c/nested.db", store_dir);
	snprintf(path, sizeof(path), "%s/a/b/c/nested.db", store_dir);
	cr_assert_eq(store_open(url, &s, NULL), CV_OK);
	cv_error_clear(&e);
	cr_assert_eq(store_conn(s, &c, &e), CV_OK, "%s", e.message);
	cr_assert_eq(store_execf(c, NULL, "CREATE TABLE t (x INTEGER)", ""), CV_OK);
	cr_assert_eq(access(path, F_OK), 0);
	store_close(s);
}

Test(store, file_that_is_not_a_database_fails_to_connect)
{
	struct store *s = NULL;
	struct store_conn *c = NULL;
	struct cv_error e;
	char url[256], path[256], junk[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/junk.db", store_dir);
	snprintf(url, sizeof(url), "sqlite:%s/junk.db", store_dir);
	memset(junk, 'J', sizeof(junk));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	cr_assert_eq(store_open(url, &s, NULL), CV_OK);
	cv_error_clear(&e);
	cr_assert_eq(store_conn(s, &c, &e), CV_EDB);
	cr_assert_neq(e.message[0], '\0');
	store_close(s);
}

Test(store, close_of_null_and_finish_of_null_are_no_ops)
{
	store_close(NULL);
	store_finish(NULL);
}

Test(store, sqlite_connection_has_wal_foreign_keys_and_full_sync)
{
	struct store_stmt *s;

	cr_assert_eq(store_prepare(conn, "PRAGMA journal_mode", &s), CV_OK);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_str_eq(store_col_text(s, 0), "wal");
	store_finish(s);
	cr_assert_eq(store_query_int(conn, "PRAGMA foreign_keys"), 1);
	cr_assert_eq(store_query_int(conn, "PRAGMA synchronous"), 2);
}

Test(store, same_thread_gets_the_same_connection)
{
	struct store_conn *again = NULL;

	cr_assert_eq(store_conn(st, &again, NULL), CV_OK);
	cr_assert_eq(again, conn);
}

/* ---- statements ---- */

Test(store, rows_read_back_with_their_types)
{
	struct store_stmt *s;

	cr_assert_eq(store_execf(conn, NULL,
				 "INSERT INTO items (id, name, weight, note) VALUES ($1, $2, $3, $4)",
				 "itdn", (int64_t)9007199254740993, "cotton", 12.5),
		     CV_OK, "%s", store_errmsg(conn));
	cr_assert_eq(store_prepare(conn, "SELECT id, name, weight, note FROM items", &s), CV_OK);
	cr_assert_eq(store_col_count(s), 4);
	cr_assert_str_eq(store_col_name(s, 0), "id");
	cr_assert_str_eq(store_col_name(s, 3), "note");
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_eq(store_col_int64(s, 0), 9007199254740993);
	cr_assert_str_eq(store_col_text(s, 1), "cotton");
	cr_assert_float_eq(store_col_double(s, 2), 12.5, 1e-9);
	cr_assert(store_col_is_null(s, 3));
	cr_assert_null(store_col_text(s, 3));
	cr_assert_not(store_col_is_null(s, 1));
	cr_assert_eq(store_step(s), STORE_DONE);
	store_finish(s);
}

Test(store, null_text_binds_sql_null)
{
	struct store_stmt *s;

	cr_assert_eq(store_prepare(conn, "SELECT $1 IS NULL, $2", &s), CV_OK);
	cr_assert_eq(store_bind_text(s, 1, NULL), CV_OK);
	cr_assert_eq(store_bind_null(s, 2), CV_OK);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_eq(store_col_int64(s, 0), 1);
	cr_assert(store_col_is_null(s, 1));
	store_finish(s);
}

Test(store, bound_text_is_copied)
{
	struct store_stmt *s;
	char value[16] = "original";

	cr_assert_eq(store_prepare(conn, "SELECT $1", &s), CV_OK);
	cr_assert_eq(store_bind_text(s, 1, value), CV_OK);
	memcpy(value, "changed!", 9);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_str_eq(store_col_text(s, 0), "original");
	store_finish(s);
}

Test(store, parameters_may_appear_out_of_order_and_twice)
{
	struct store_stmt *s;

	cr_assert_eq(store_prepare(conn, "SELECT $2 || $1 || $2, $3 + $1", &s), CV_OK);
	cr_assert_eq(store_bindf(s, "tti", "1", "b", (int64_t)10), CV_OK);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_str_eq(store_col_text(s, 0), "b1b");
	cr_assert_eq(store_col_int64(s, 1), 11);
	store_finish(s);

	cr_assert_eq(store_execf(conn, NULL, "INSERT INTO items (name, id) VALUES ($2, $1)", "it",
				 (int64_t)5, "wool"),
		     CV_OK, "%s", store_errmsg(conn));
	cr_assert_eq(store_query_int(conn, "SELECT id FROM items WHERE name = 'wool'"), 5);
}

Test(store, binding_a_parameter_the_sql_lacks_is_rejected)
{
	struct store_stmt *s;

	cr_assert_eq(store_prepare(conn, "SELECT $1, $3", &s), CV_OK);
	cr_assert_eq(store_bind_int64(s, 2, 1), CV_EINVAL);
	cr_assert_eq(store_bind_int64(s, 4, 1), CV_EINVAL);
	cr_assert_eq(store_bind_int64(s, 0, 1), CV_EINVAL);
	cr_assert_eq(store_bind_int64(s, -1, 1), CV_EINVAL);
	cr_assert_eq(store_bind_text(s, 1000, "x"), CV_EINVAL);
	cr_assert_eq(store_bind_int64(s, 3, 1), CV_OK);
	store_finish(s);
}

Test(store, parameters_other_than_dollar_numbers_are_rejected)
{
	static const char *const sql[] = {"SELECT ?",  "SELECT :name", "SELECT @x",
					  "SELECT $x", "SELECT $0",    "SELECT $65"};

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		struct store_stmt *s = NULL;
		int rc = store_prepare(conn, sql[i], &s);
		cr_assert_lt(rc, 0, "accepted %s", sql[i]);
	}
}

Test(store, syntax_error_is_a_database_error_with_a_message)
{
	struct store_stmt *s = NULL;
	struct cv_error e;

	cr_assert_eq(store_prepare(conn, "SELEC 1", &s), CV_EDB);
	cr_assert(strstr(store_errmsg(conn), "syntax error") != NULL, "%s", store_errmsg(conn));
	cr_assert_eq(store_prepare(conn, "SELECT * FROM no_such_table", &s), CV_EDB);
	cv_error_clear(&e);
	cr_assert_eq(store_exec_script(conn, "CREATE TABLE ok1 (x); BOGUS;", &e), CV_EDB);
	cr_assert_neq(e.message[0], '\0');
}

Test(store, statement_cache_reuses_compiled_statement)
{
	struct store_stmt *a, *b;

	cr_assert_eq(store_prepare(conn, "SELECT count(*) FROM items", &a), CV_OK);
	store_finish(a);
	cr_assert_eq(store_prepare(conn, "SELECT count(*) FROM items", &b), CV_OK);
	cr_assert_eq(a, b);
	cr_assert_eq(store_step(b), STORE_ROW);
	store_finish(b);
}

Test(store, finish_resets_and_clears_bindings)
{
	struct store_stmt *s;

	store_insert_item(1, "a");
	store_insert_item(2, "b");
	cr_assert_eq(store_prepare(conn, "SELECT $1, name FROM items ORDER BY id", &s), CV_OK);
	cr_assert_eq(store_bind_text(s, 1, "bound"), CV_OK);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_str_eq(store_col_text(s, 1), "a");
	store_finish(s); /* mid-result */
	cr_assert_eq(store_prepare(conn, "SELECT $1, name FROM items ORDER BY id", &s), CV_OK);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert(store_col_is_null(s, 0), "binding survived finish");
	cr_assert_str_eq(store_col_text(s, 1), "a", "statement was not reset");
	store_finish(s);
}

Test(store, nested_use_of_same_sql_gets_a_private_statement)
{
	static const char sql[] = "SELECT name FROM items WHERE id >= $1 ORDER BY id";
	struct store_stmt *outer, *inner, *again;

	store_insert_item(1, "first");
	store_insert_item(2, "second");
	cr_assert_eq(store_prepare(conn, sql, &outer), CV_OK);
	cr_assert_eq(store_bind_int64(outer, 1, 1), CV_OK);
	cr_assert_eq(store_step(outer), STORE_ROW);
	cr_assert_str_eq(store_col_text(outer, 0), "first");

	cr_assert_eq(store_prepare(conn, sql, &inner), CV_OK);
	cr_assert_neq(inner, outer);
	cr_assert_eq(store_bind_int64(inner, 1, 2), CV_OK);
	cr_assert_eq(store_step(inner), STORE_ROW);
	cr_assert_str_eq(store_col_text(inner, 0), "second");
	store_finish(inner);

	cr_assert_str_eq(store_col_text(outer, 0), "first", "outer row disturbed");
	cr_assert_eq(store_step(outer), STORE_ROW);
	cr_assert_str_eq(store_col_text(outer, 0), "second");
	store_finish(outer);

	cr_assert_eq(store_prepare(conn, sql, &again), CV_OK);
	cr_assert_eq(again, outer, "the cached statement is handed out again");
	store_finish(again);
}

Test(store, many_distinct_statements_all_work)
{
	enum { N = 600 }; /* more than the cache holds */
	static struct store_stmt *held[N];
	char sql[64];

	for (int i = 0; i < N; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		cr_assert_eq(store_prepare(conn, sql, &held[i]), CV_OK, "%s", sql);
	}
	for (int i = 0; i < N; i++) {
		cr_assert_eq(store_step(held[i]), STORE_ROW);
		cr_assert_eq(store_col_int64(held[i], 0), i);
		store_finish(held[i]);
	}
	for (int i = 0; i < N; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		cr_assert_eq(store_query_int(conn, sql), i);
	}
}

Test(store, execf_reports_rows_changed)
{
	int64_t changed = -1;

	store_insert_item(1, "a");
	store_insert_item(2, "b");
	store_insert_item(3, "c");
	cr_assert_eq(store_execf(conn, &changed, "UPDATE items SET note = $1 WHERE id >= $2", "ti",
				 "checked", (int64_t)2),
		     CV_OK);
	cr_assert_eq(changed, 2);
	cr_assert_eq(store_changes(conn), 2);
	cr_assert_eq(store_execf(conn, &changed, "DELETE FROM items WHERE id = $1", "i", (int64_t)99),
		     CV_OK);
	cr_assert_eq(changed, 0);
}

Test(store, exec_script_runs_several_statements)
{
	struct cv_error e;

	cv_error_clear(&e);
	cr_assert_eq(store_exec_script(conn,
				       "INSERT INTO items (id, name) VALUES (1, 'a');"
				       "INSERT INTO items (id, name) VALUES (2, 'b');",
				       &e),
		     CV_OK, "%s", e.message);
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"), 2);
}

/* ---- constraint errors ---- */

Test(store, unique_violation_is_reported_as_conflict)
{
	store_insert_item(1, "cotton");
	cr_assert_eq(store_execf(conn, NULL, "INSERT INTO items (id, name) VALUES ($1, $2)", "it",
				 (int64_t)2, "cotton"),
		     CV_ECONFLICT, "%s", store_errmsg(conn));
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"), 1);
}

Test(store, primary_key_violation_is_reported_as_conflict)
{
	store_insert_item(1, "cotton");
	cr_assert_eq(store_execf(conn, NULL, "INSERT INTO items (id, name) VALUES ($1, $2)", "it",
				 (int64_t)1, "wool"),
		     CV_ECONFLICT, "%s", store_errmsg(conn));
}

Test(store, foreign_key_violation_is_a_database_error)
{
	int rc = store_execf(conn, NULL, "INSERT INTO parts (id, item_id) VALUES ($1, $2)", "ii",
			     (int64_t)1, (int64_t)42);

	cr_assert_eq(rc, CV_EDB, "rc %d: %s", rc, store_errmsg(conn));
	cr_assert(strstr(store_errmsg(conn), "FOREIGN KEY") != NULL, "%s", store_errmsg(conn));
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM parts"), 0);
}

Test(store, not_null_violation_is_a_database_error)
{
	int rc = store_execf(conn, NULL, "INSERT INTO items (id, name) VALUES ($1, $2)", "in",
			     (int64_t)1);

	cr_assert_eq(rc, CV_EDB, "rc %d", rc);
}

Test(store, constraint_error_can_be_followed_by_more_work)
{
	store_insert_item(1, "cotton");
	cr_assert_lt(store_execf(conn, NULL, "INSERT INTO items (id, name) VALUES ($1, $2)", "it",
				 (int64_t)1, "cotton"),
		     0);
	store_insert_item(2, "wool"); /* same cached statement, reset after the failure */
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"), 2);
}

/* ---- transactions ---- */

Test(store, begin_and_commit_track_the_transaction)
{
	cr_assert_not(store_in_transaction(conn));
	cr_assert_eq(store_begin(conn), CV_OK);
	cr_assert(store_in_transaction(conn));
	store_insert_item(1, "a");
	cr_assert_eq(store_commit(conn), CV_OK);
	cr_assert_not(store_in_transaction(conn));
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"), 1);
}

Test(store, rollback_leaves_nothing_written)
{
	store_insert_item(1, "kept");
	cr_assert_eq(store_begin(conn), CV_OK);
	store_insert_item(2, "discarded");
	cr_assert_eq(store_execf(conn, NULL, "UPDATE items SET note = 'x' WHERE id = 1", ""), CV_OK);
	cr_assert_eq(store_rollback(conn), CV_OK);
	cr_assert_not(store_in_transaction(conn));
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"), 1);
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items WHERE note IS NULL"), 1);
}

Test(store, rollback_without_transaction_is_a_no_op)
{
	store_insert_item(1, "a");
	cr_assert_eq(store_rollback(conn), CV_OK);
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"), 1);
}

Test(store, committed_write_survives_reopening)
{
	struct store *s2 = NULL;
	struct store_conn *c2 = NULL;

	cr_assert_eq(store_begin(conn), CV_OK);
	store_insert_item(7, "durable");
	cr_assert_eq(store_commit(conn), CV_OK);
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open(store_url_text, &s2, NULL), CV_OK);
	st = s2; /* teardown closes it */
	cr_assert_eq(store_conn(s2, &c2, NULL), CV_OK);
	cr_assert_eq(store_query_int(c2, "SELECT id FROM items WHERE name = 'durable'"), 7);
}

Test(store, closing_the_store_rolls_back_an_open_transaction)
{
	struct store_conn *c2 = NULL;

	cr_assert_eq(store_begin(conn), CV_OK);
	store_insert_item(1, "uncommitted");
	store_close(st);
	st = NULL;
	cr_assert_eq(store_open(store_url_text, &st, NULL), CV_OK);
	cr_assert_eq(store_conn(st, &c2, NULL), CV_OK);
	cr_assert_eq(store_query_int(c2, "SELECT count(*) FROM items"), 0);
}

struct store_probe {
	struct store *store;
	struct store_conn *conn;
	int rc;
	int64_t count;
};

/* Thread body: count items on the thread's own connection. */
static void *store_count_in_thread(void *arg)
{
	struct store_probe *p = arg;
	struct store_stmt *s;

	p->rc = store_conn(p->store, &p->conn, NULL);
	if (p->rc)
		return NULL;
	p->rc = store_prepare(p->conn, "SELECT count(*) FROM items", &s);
	if (p->rc)
		return NULL;
	p->rc = store_step(s);
	if (p->rc == STORE_ROW) {
		p->count = store_col_int64(s, 0);
		p->rc = CV_OK;
	}
	store_finish(s);
	return NULL;
}

static struct store_probe store_probe_other_thread(void)
{
	struct store_probe p = {st, NULL, -100, -1};
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, store_count_in_thread, &p), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	return p;
}

Test(store, each_thread_gets_its_own_connection)
{
	struct store_probe p = store_probe_other_thread();

	cr_assert_eq(p.rc, CV_OK);
	cr_assert_not_null(p.conn);
	cr_assert_neq(p.conn, conn);
}

Test(store, committed_write_is_visible_to_another_connection)
{
	struct store_probe p;

	cr_assert_eq(store_begin(conn), CV_OK);
	store_insert_item(1, "a");
	store_insert_item(2, "b");
	p = store_probe_other_thread();
	cr_assert_eq(p.rc, CV_OK);
	cr_assert_eq(p.count, 0, "uncommitted rows leaked to another connection");
	cr_assert_eq(store_commit(conn), CV_OK);
	p = store_probe_other_thread();
	cr_assert_eq(p.rc, CV_OK);
	cr_assert_eq(p.count, 2);
}

/* ---- group commit (store_write_begin/end) ---- */

#define GROUP_THREADS 8
#define GROUP_WRITES 40

/* Thread body: GROUP_WRITES writes; every fourth is undone. */
static void *store_group_writer(void *arg)
{
	long t = (long)arg;
	struct store_conn *own;

	cr_assert_eq(store_conn(st, &own, NULL), CV_OK);
	for (int j = 0; j < GROUP_WRITES; j++) {
		struct store_conn *w;
		struct cv_error e;
		char name[32];
		int keep = j % 4 != 3;

		snprintf(name, sizeof(name), "t%ld-%d", t, j);
		cr_assert_eq(store_write_begin(st, &w, &e), CV_OK, "%s", e.message);
		cr_assert_eq(store_execf(w, NULL, "INSERT INTO items (name) VALUES ($1)", "t", name),
			     CV_OK, "%s", store_errmsg(w));
		usleep(500); /* work under the writer, so that others queue behind it */
		cr_assert_eq(store_write_end(w, keep), CV_OK);
		/* Once write_end returns, the write is committed: another connection sees it. */
		struct store_stmt *s;
		cr_assert_eq(store_query_row(own, &s, "SELECT count(*) FROM items WHERE name = $1",
					     "t", name),
			     CV_OK);
		cr_assert_eq(store_col_int64(s, 0), keep, "%s: kept %d but found %lld", name, keep,
			     (long long)store_col_int64(s, 0));
		store_finish(s);
	}
	return NULL;
}

Test(store, concurrent_writes_share_commits_and_an_undone_write_takes_no_other_with_it)
{
	pthread_t threads[GROUP_THREADS];
	uint64_t writes, commits;

	for (long t = 0; t < GROUP_THREADS; t++)
		cr_assert_eq(pthread_create(&threads[t], NULL, store_group_writer, (void *)t), 0);
	for (int t = 0; t < GROUP_THREADS; t++)
		cr_assert_eq(pthread_join(threads[t], NULL), 0);
	cr_assert_eq(store_query_int(conn, "SELECT count(*) FROM items"),
		     GROUP_THREADS * GROUP_WRITES * 3 / 4);
	store_write_stats(st, &writes, &commits);
	cr_assert_eq(writes, GROUP_THREADS * GROUP_WRITES * 3 / 4);
	cr_assert_lt(commits, writes / 2, "%llu commits for %llu writes: no grouping",
		     (unsigned long long)commits, (unsigned long long)writes);
}
