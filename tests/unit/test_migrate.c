/* test_migrate.c — numbered migrations (store/migrate.h). */
#include "store/migrate.h"

#include "base/clock.h"
#include "base/embedded.h"
#include "base/err.h"
#include "base/log.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

static char migrate_dir[64];
static char migrate_url[128];
static struct store *mst;
static struct store_conn *mconn;

static int migrate_remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void migrate_setup(void)
{
	struct cv_error e;

	cv_log_set_level(CV_LOG_OFF);
	snprintf(migrate_dir, sizeof(migrate_dir), "/tmp/cv-migrate-XXXXXX");
	cr_assert_not_null(mkdtemp(migrate_dir));
	snprintf(migrate_url, sizeof(migrate_url), "sqlite:%s/test.db", migrate_dir);
	cv_error_clear(&e);
	cr_assert_eq(store_open(migrate_url, &mst, &e), CV_OK, "%s", e.message);
	cr_assert_eq(store_conn(mst, &mconn, &e), CV_OK, "%s", e.message);
}

static void migrate_teardown(void)
{
	store_close(mst);
	mst = NULL;
	if (migrate_dir[0])
		nftw(migrate_dir, migrate_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(migrate, .init = migrate_setup, .fini = migrate_teardown);

static int64_t migrate_query_int(const char *sql)
{
	struct store_stmt *s;
	int64_t v;

	cr_assert_eq(store_prepare(mconn, sql, &s), CV_OK, "%s: %s", sql, store_errmsg(mconn));
	cr_assert_eq(store_step(s), STORE_ROW, "%s", sql);
	v = store_col_int64(s, 0);
	store_finish(s);
	return v;
}

Test(migrate, migrations_are_embedded_in_the_binary)
{
	const struct cv_embedded_file *f = cv_embedded_find(
		"src/store/migrations/001_foundation.sql");

	cr_assert_not_null(f);
	cr_assert_gt(f->size, 0);
	cr_assert_eq(f->data[f->size], '\0');
	cr_assert_null(cv_embedded_find("src/store/migrations/no_such.sql"));
}

Test(migrate, empty_database_has_schema_version_zero)
{
	int version = -1;

	cr_assert_eq(store_schema_version(mconn, &version, NULL), CV_OK);
	cr_assert_eq(version, 0);
}

Test(migrate, migrate_applies_every_migration_and_records_it)
{
	int applied = -1, version = -1;
	struct cv_error e;
	struct store_stmt *s;
	int64_t when;

	cv_error_clear(&e);
	cr_assert_eq(store_migrate(mconn, &applied, &e), CV_OK, "%s", e.message);
	cr_assert_geq(applied, 2);
	cr_assert_eq(store_schema_version(mconn, &version, NULL), CV_OK);
	cr_assert_geq(version, 2);
	cr_assert_eq(migrate_query_int("SELECT count(*) FROM schema_migrations"), applied);
	cr_assert_not(store_in_transaction(mconn));

	cr_assert_eq(store_prepare(mconn,
				   "SELECT name, applied_at FROM schema_migrations WHERE version = 1",
				   &s),
		     CV_OK);
	cr_assert_eq(store_step(s), STORE_ROW);
	cr_assert_str_eq(store_col_text(s, 0), "001_foundation.sql");
	cr_assert_eq(cv_clock_parse_rfc3339(store_col_text(s, 1), &when), CV_OK, "%s",
		     store_col_text(s, 1));
	store_finish(s);

	/* The schema is there: the audit chain starts at its genesis row. */
	cr_assert_eq(migrate_query_int("SELECT seq FROM audit_head WHERE id = 1"), 0);
	cr_assert_eq(migrate_query_int("SELECT count(*) FROM users"), 0);
}

Test(migrate, migrate_twice_applies_nothing_the_second_time)
{
	int first = -1, second = -1, v1 = -1, v2 = -1;

	cr_assert_eq(store_migrate(mconn, &first, NULL), CV_OK);
	cr_assert_eq(store_schema_version(mconn, &v1, NULL), CV_OK);
	cr_assert_eq(store_migrate(mconn, &second, NULL), CV_OK);
	cr_assert_eq(store_schema_version(mconn, &v2, NULL), CV_OK);
	cr_assert_gt(first, 0);
	cr_assert_eq(second, 0);
	cr_assert_eq(v1, v2);
	cr_assert_eq(migrate_query_int("SELECT count(*) FROM schema_migrations"), first);
}

Test(migrate, migrated_database_reopened_needs_nothing)
{
	int applied = -1;

	cr_assert_eq(store_migrate(mconn, NULL, NULL), CV_OK);
	store_close(mst);
	mst = NULL;
	cr_assert_eq(store_open(migrate_url, &mst, NULL), CV_OK);
	cr_assert_eq(store_conn(mst, &mconn, NULL), CV_OK);
	cr_assert_eq(store_migrate(mconn, &applied, NULL), CV_OK);
	cr_assert_eq(applied, 0);
}

Test(migrate, sqlite_only_migration_makes_the_audit_log_append_only)
{
	cr_assert_eq(store_migrate(mconn, NULL, NULL), CV_OK);
	cr_assert_eq(store_execf(mconn, NULL,
				 "INSERT INTO audit_log (seq, id, at, actor, action, entity_type,"
				 " entity_id, detail, prev_hash, hash)"
				 " VALUES (1, 'a', 't', 'x', 'y', 'z', 'e', '{}', 'p', 'h')",
				 ""),
		     CV_OK, "%s", store_errmsg(mconn));
	cr_assert_lt(store_execf(mconn, NULL, "UPDATE audit_log SET actor = 'mallory'", ""), 0);
	cr_assert_lt(store_execf(mconn, NULL, "DELETE FROM audit_log", ""), 0);
	cr_assert(strstr(store_errmsg(mconn), "append-only") != NULL, "%s", store_errmsg(mconn));
	cr_assert_eq(migrate_query_int("SELECT count(*) FROM audit_log WHERE actor = 'x'"), 1);
}

Test(migrate, failed_migration_is_rolled_back_and_not_recorded)
{
	struct cv_error e;
	int applied = -1, version = -1;

	/* A table in the way makes 001 fail at its last CREATE TABLE. */
	cr_assert_eq(store_exec_script(mconn, "CREATE TABLE audit_head (x INTEGER)", NULL), CV_OK);
	cv_error_clear(&e);
	cr_assert_lt(store_migrate(mconn, &applied, &e), 0);
	cr_assert(strstr(e.message, "audit_head") != NULL, "%s", e.message);
	cr_assert_not(store_in_transaction(mconn));
	cr_assert_eq(store_schema_version(mconn, &version, NULL), CV_OK);
	cr_assert_eq(version, 0);
	cr_assert_eq(migrate_query_int("SELECT count(*) FROM sqlite_master WHERE name = 'countries'"),
		     0, "tables created before the failure were kept");
}
