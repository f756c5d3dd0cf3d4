/*
 * store_driver.h — what a database driver implements for db.h.
 *
 * Internal to src/store. A driver works on opaque handles: one connection
 * handle per store_conn and one statement handle per store_stmt. store.c
 * owns caching, threads and transactions state; drivers only speak to their
 * engine. Parameters arrive as $n numbers; a driver whose engine numbers
 * them differently maps them itself.
 */
#ifndef CV_STORE_DRIVER_H
#define CV_STORE_DRIVER_H

#include "base/err.h"

#include <stdint.h>

struct store_driver {
	const char *name;      /* "sqlite" */
	const char *scheme;    /* URL prefix: "sqlite:" */
	const char *begin_sql; /* statement that starts a write transaction */
	/*
	 * One writer at a time on the whole database (SQLite): the process's
	 * threads queue on a mutex for their write transactions instead of
	 * polling the engine's lock with sleeps in its busy handler.
	 */
	int single_writer;
	/*
	 * Is a transaction still open on the connection? An engine may end one
	 * on its own after some errors (SQLite: a full disk, an I/O error);
	 * group commit must know, since other requests' writes were in it.
	 * Needed by single_writer drivers.
	 */
	int (*in_transaction)(void *conn);

	int (*connect)(const char *url, void **conn, struct cv_error *err);
	void (*disconnect)(void *conn);
	int (*exec_script)(void *conn, const char *sql, struct cv_error *err);
	const char *bulk_on_sql;  /* statements that tune a connection for bulk work, or NULL */
	const char *bulk_off_sql; /* and back */
	const char *(*errmsg)(void *conn);
	int64_t (*changes)(void *conn);

	int (*prepare)(void *conn, const char *sql, void **stmt);
	void (*finalize)(void *stmt);
	void (*reset)(void *stmt);
	int (*bind_text)(void *stmt, int n, const char *value);
	int (*bind_int64)(void *stmt, int n, int64_t value);
	int (*bind_double)(void *stmt, int n, double value);
	int (*bind_null)(void *stmt, int n);
	int (*step)(void *stmt);
	int (*col_count)(void *stmt);
	const char *(*col_name)(void *stmt, int col);
	int (*col_is_null)(void *stmt, int col);
	const char *(*col_text)(void *stmt, int col);
	int64_t (*col_int64)(void *stmt, int col);
	double (*col_double)(void *stmt, int col);
};

extern const struct store_driver store_sqlite_driver;
extern const struct store_driver store_postgres_driver;

#endif
