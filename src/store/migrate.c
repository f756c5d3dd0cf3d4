/* migrate.c — see migrate.h. */
#include "store/migrate.h"

#include "base/clock.h"
#include "base/embedded.h"
#include "base/log.h"

#include <stdlib.h>
#include <string.h>

#define MIGRATION_PREFIX "src/store/migrations/"

static const char create_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

/*
 * If file is a migration for this engine, set *version and *name (the file
 * name without folder) and return 1.
 */
static int migration_for_engine(const char *file, const char *engine, int *version,
				const char **name)
{
	const char *base, *dot, *ext;
	char *end;

	if (strncmp(file, MIGRATION_PREFIX, strlen(MIGRATION_PREFIX)) != 0)
		return 0;
	base = file + strlen(MIGRATION_PREFIX);
	*version = (int)strtol(base, &end, 10);
	if (end == base || *end != '_' || *version <= 0)
		return 0;
	ext = strrchr(base, '.');
	if (!ext || strcmp(ext, ".sql") != 0)
		return 0;
	/* NNN_name.ENGINE.sql: the part between the last two dots names an engine. */
	dot = ext;
	while (dot > base && dot[-1] != '.' && dot[-1] != '_')
		dot--;
	if (dot > base && dot[-1] == '.') {
		size_t len = (size_t)(ext - dot);
		if (strlen(engine) != len || strncmp(dot, engine, len) != 0)
			return 0;
	}
	*name = base;
	return 1;
}

static int is_applied(struct store_conn *conn, int version, int *applied)
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", &stmt);

	if (rc)
		return rc;
	rc = store_bind_int64(stmt, 1, version);
	if (rc == CV_OK) {
		rc = store_step(stmt);
		*applied = rc == STORE_ROW;
		if (rc == STORE_ROW || rc == STORE_DONE)
			rc = CV_OK;
	}
	store_finish(stmt);
	return rc;
}

static int apply_one(struct store_conn *conn, int version, const char *name, const char *sql,
		     struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int rc = store_begin(conn);

	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	if (rc)
		return cv_error_set(err, rc, "db", "cannot start migration %s: %s", name,
				    store_errmsg(conn));
	rc = store_exec_script(conn, sql, err);
	if (rc == CV_OK)
		rc = store_execf(conn, NULL,
				 "INSERT INTO schema_migrations (version, name, applied_at)"
				 " VALUES ($1, $2, $3)",
				 "itt", (int64_t)version, name, now);
	if (rc) {
		store_rollback(conn);
		if (!err || !err->message[0])
			cv_error_set(err, rc, "db", "%s", store_errmsg(conn));
		return rc;
	}
	rc = store_commit(conn);
	if (rc)
		return cv_error_set(err, rc, "db", "cannot commit migration %s: %s", name,
				    store_errmsg(conn));
	cv_info("store", "applied migration %s", name);
	return CV_OK;
}

int store_migrate(struct store_conn *conn, int *applied_now, struct cv_error *err)
{
	int count = 0, rc;

	rc = store_exec_script(conn, create_table_sql, err);
	if (rc)
		return rc;
	/* scripts/embed is given the files sorted, so numbers come in order. */
	for (const struct cv_embedded_file *f = cv_embedded_files; f->name; f++) {
		const char *name;
		int version, applied;

		if (!migration_for_engine(f->name, store_engine(conn), &version, &name))
			continue;
		rc = is_applied(conn, version, &applied);
		if (rc)
			return cv_error_set(err, rc, "db", "cannot read schema_migrations: %s",
					    store_errmsg(conn));
		if (applied)
			continue;
		rc = apply_one(conn, version, name, (const char *)f->data, err);
		if (rc)
			return rc;
		count++;
	}
	if (applied_now)
		*applied_now = count;
	return CV_OK;
}

int store_schema_version(struct store_conn *conn, int *version, struct cv_error *err)
{
	struct store_stmt *stmt;
	int rc = store_exec_script(conn, create_table_sql, err);

	if (rc)
		return rc;
	rc = store_prepare(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &stmt);
	if (rc)
		return cv_error_set(err, rc, "db", "%s", store_errmsg(conn));
	rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*version = (int)store_col_int64(stmt, 0);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc;
}
