/*
 * sqlite.c — the SQLite driver (see store_driver.h).
 *
 * Every connection is configured for a multi-threaded server that must not
 * lose an acknowledged write:
 *  - journal_mode=WAL: readers never block the writer;
 *  - synchronous=FULL: a COMMIT returns only after the WAL is on disk, so a
 *    committed transaction survives kill -9 and power loss;
 *  - foreign_keys=ON: it is per connection in SQLite, off by default;
 *  - busy_timeout: writers queue for the write lock instead of failing.
 * Connections are opened with SQLITE_OPEN_NOMUTEX: each belongs to one thread.
 *
 * Parameters: SQLite reads "$1" as a named parameter, numbering parameters
 * in order of first appearance. The statement keeps a map from $n to
 * SQLite's index so that SQL may use $2 before $1, or $1 twice.
 */
#include "store/store_driver.h"

#include "store/db.h"

#include "base/mem.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define BUSY_TIMEOUT_MS 10000
#define MAX_PARAMS 64

struct sqlite_stmt {
	sqlite3_stmt *stmt;
	sqlite3 *db;
	int nparams;
	int index[MAX_PARAMS + 1]; /* index[n] is SQLite's index of $n, 0 if absent */
};

static int map_rc(sqlite3 *db, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return CV_OK;
	/* Extended result codes are on: compare the primary code in the low byte. */
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
		return CV_EBUSY;
	if ((rc & 0xff) == SQLITE_NOMEM)
		return CV_ENOMEM;
	if ((rc & 0xff) == SQLITE_CONSTRAINT && db) {
		int ext = sqlite3_extended_errcode(db);
		if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
			return CV_ECONFLICT;
	}
	return CV_EDB;
}

/* mkdir -p for the folder that will hold the database file. */
static int make_parent_dirs(const char *path)
{
	char dir[1024];
	int n = snprintf(dir, sizeof(dir), "%s", path);
	char *slash;

	if (n < 0 || (size_t)n >= sizeof(dir))
		return -1;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(dir, 0750) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int sq_exec(void *conn, const char *sql, struct cv_error *err)
{
	sqlite3 *db = conn;
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		cv_error_set(err, map_rc(db, rc), "db", "%s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return map_rc(db, rc);
	}
	return CV_OK;
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/*
 * SQLite keeps global memory statistics behind one mutex taken on every
 * malloc and free; with a connection per thread it is the main point of
 * contention (docs/PERFORMANCE.md). We do not read them.
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

static int sq_connect(const char *url, void **out, struct cv_error *err)
{
	const char *path = url + strlen("sqlite:");
	sqlite3 *db = NULL;
	int rc;

	pthread_once(&sqlite_once, sqlite_setup);
	if (!*path)
		return cv_error_set(err, CV_EINVAL, "db",
				    "sqlite: URL needs a path, as in sqlite:var/caravan.db");
	if (strcmp(path, ":memory:") != 0 && make_parent_dirs(path) != 0)
		return cv_error_set(err, CV_EIO, "db", "cannot create the folder for %s: %s", path,
				    strerror(errno));
	rc = sqlite3_open_v2(path, &db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		cv_error_set(err, CV_EDB, "db", "cannot open %s: %s", path,
			     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return CV_EDB;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db, 1);
	rc = sq_exec(db,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		     "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
		     err);
	if (rc) {
		sqlite3_close(db);
		return rc;
	}
	*out = db;
	return CV_OK;
}

static void sq_disconnect(void *conn) { sqlite3_close_v2(conn); }
static int sq_in_transaction(void *conn) { return !sqlite3_get_autocommit(conn); }
static const char *sq_errmsg(void *conn) { return sqlite3_errmsg(conn); }
static int64_t sq_changes(void *conn) { return sqlite3_changes(conn); }

/* "12" -> 12; anything but 1-3 digits -> 0. */
static int param_number(const char *s)
{
	int n = 0, len = 0;

	for (; *s; s++, len++) {
		if (*s < '0' || *s > '9' || len >= 3)
			return 0;
		n = n * 10 + (*s - '0');
	}
	return n;
}

static int sq_prepare(void *conn, const char *sql, void **out)
{
	struct sqlite_stmt *s = cv_calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return CV_ENOMEM;
	s->db = conn;
	rc = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt, NULL);
	if (rc != SQLITE_OK) {
		cv_free(s);
		return map_rc(conn, rc);
	}
	s->nparams = sqlite3_bind_parameter_count(s->stmt);
	for (int i = 1; i <= s->nparams; i++) {
		const char *name = sqlite3_bind_parameter_name(s->stmt, i);
		int n = name && name[0] == '$' ? param_number(name + 1) : 0;
		if (n < 1 || n > MAX_PARAMS) {
			sqlite3_finalize(s->stmt);
			cv_free(s);
			return CV_EINVAL;
		}
		s->index[n] = i;
	}
	*out = s;
	return CV_OK;
}

static void sq_finalize(void *stmt)
{
	struct sqlite_stmt *s = stmt;

	sqlite3_finalize(s->stmt);
	cv_free(s);
}

static void sq_reset(void *stmt)
{
	struct sqlite_stmt *s = stmt;

	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
}

static int param_index(struct sqlite_stmt *s, int n)
{
	return (n >= 1 && n <= MAX_PARAMS) ? s->index[n] : 0;
}

/* Binding a parameter the SQL does not use is a programming error worth reporting. */
#define BIND(call)                                                                                 \
	do {                                                                                       \
		int i = param_index(s, n);                                                         \
		if (!i)                                                                            \
			return CV_EINVAL;                                                          \
		return map_rc(s->db, call);                                                        \
	} while (0)

static int sq_bind_text(void *stmt, int n, const char *v)
{
	struct sqlite_stmt *s = stmt;
	BIND(sqlite3_bind_text(s->stmt, i, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_int64(void *stmt, int n, int64_t v)
{
	struct sqlite_stmt *s = stmt;
	BIND(sqlite3_bind_int64(s->stmt, i, v));
}

static int sq_bind_double(void *stmt, int n, double v)
{
	struct sqlite_stmt *s = stmt;
	BIND(sqlite3_bind_double(s->stmt, i, v));
}

static int sq_bind_null(void *stmt, int n)
{
	struct sqlite_stmt *s = stmt;
	BIND(sqlite3_bind_null(s->stmt, i));
}

static int sq_step(void *stmt)
{
	struct sqlite_stmt *s = stmt;

	int rc = sqlite3_step(s->stmt);

	if (rc == SQLITE_ROW)
		return STORE_ROW;
	if (rc == SQLITE_DONE)
		return STORE_DONE;
	return map_rc(s->db, rc);
}

static int sq_col_count(void *stmt)
{
	return sqlite3_column_count(((struct sqlite_stmt *)stmt)->stmt);
}

static const char *sq_col_name(void *stmt, int col)
{
	return sqlite3_column_name(((struct sqlite_stmt *)stmt)->stmt, col);
}

static int sq_col_is_null(void *stmt, int col)
{
	return sqlite3_column_type(((struct sqlite_stmt *)stmt)->stmt, col) == SQLITE_NULL;
}

static const char *sq_col_text(void *stmt, int col)
{
	return (const char *)sqlite3_column_text(((struct sqlite_stmt *)stmt)->stmt, col);
}

static int64_t sq_col_int64(void *stmt, int col)
{
	return sqlite3_column_int64(((struct sqlite_stmt *)stmt)->stmt, col);
}

static double sq_col_double(void *stmt, int col)
{
	return sqlite3_column_double(((struct sqlite_stmt *)stmt)->stmt, col);
}

const struct store_driver store_sqlite_driver = {
	.name = "sqlite",
	.scheme = "sqlite:",
	.begin_sql = "BEGIN IMMEDIATE",
	.single_writer = 1,
	.in_transaction = sq_in_transaction,
	/* 256 MiB of page cache. (Memory-mapped reads were measured slower here: docs/PERFORMANCE.md.) */
	.bulk_on_sql = "PRAGMA cache_size=-262144;",
	.bulk_off_sql = "PRAGMA cache_size=-2000;",
	.connect = sq_connect,
	.disconnect = sq_disconnect,
	.exec_script = sq_exec,
	.errmsg = sq_errmsg,
	.changes = sq_changes,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.reset = sq_reset,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.col_count = sq_col_count,
	.col_name = sq_col_name,
	.col_is_null = sq_col_is_null,
	.col_text = sq_col_text,
	.col_int64 = sq_col_int64,
	.col_double = sq_col_double,
};
