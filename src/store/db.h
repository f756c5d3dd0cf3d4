/*
 * db.h — the one database interface of caravan.
 *
 * Domain code talks SQL through this header only; it never sees SQLite or
 * libpq. SQL is written once for both engines: parameters are $1..$n, and
 * only portable SQL is used (RETURNING, ON CONFLICT, TEXT/BIGINT columns,
 * timestamps as RFC 3339 text). A driver (sqlite.c, postgres.c) implements
 * struct store_driver in store_driver.h; adding PostgreSQL means adding that
 * file, not touching domain code.
 *
 * Ownership and threads:
 *  - struct store is the database: its URL, its driver, and one connection
 *    per thread. It is created once (store_open) and shared by all threads.
 *  - struct store_conn is one connection. store_conn() returns the calling
 *    thread's own connection, opening it on first use; it must not be handed
 *    to another thread. It lives until its thread exits or store_close().
 *  - struct store_stmt is a prepared statement from the connection's cache.
 *    store_prepare() hands it out; store_finish() gives it back (reset, binds
 *    cleared). Preparing the same SQL again reuses the compiled statement.
 *
 * Errors: CV_EDB for a database failure (store_errmsg() tells which),
 * CV_ECONFLICT for a unique or primary key violation, CV_EBUSY when the
 * database stayed locked past the busy timeout.
 *
 * Durability: a committed transaction survives a crash of the process or
 * the machine (SQLite: WAL with synchronous=FULL).
 */
#ifndef CV_STORE_DB_H
#define CV_STORE_DB_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_conn;
struct store_stmt;

/*
 * store_step() results besides negative errors. STORE_DONE is not 0 on
 * purpose: a loop on `!rc` must not mistake the end of rows for success.
 */
enum { STORE_ROW = 1, STORE_DONE = 2 };

/*
 * Open the database named by url ("sqlite:var/caravan.db"). Does not connect
 * yet; the first store_conn() does, and reports connection errors.
 */
int store_open(const char *url, struct store **out, struct cv_error *err);
/* Close every connection and free the store. NULL is a no-op. */
void store_close(struct store *store);
/* The URL the store was opened with. */
const char *store_url(const struct store *store);

/* The calling thread's connection, opened (and configured) on first use. */
int store_conn(struct store *store, struct store_conn **out, struct cv_error *err);

/*
 * Transactions. store_begin() starts a transaction that may write (SQLite:
 * BEGIN IMMEDIATE, so writers queue on the busy timeout instead of failing
 * on upgrade). Nested transactions are not supported: a second begin is an
 * invariant violation.
 */
int store_begin(struct store_conn *conn);
int store_commit(struct store_conn *conn);
/* Roll back if a transaction is open; a no-op otherwise. */
int store_rollback(struct store_conn *conn);
int store_in_transaction(const struct store_conn *conn);

/*
 * A write request of the server. store_write_begin() gives the connection
 * to write on, inside a transaction; store_write_end() keeps the writes
 * (keep != 0) or undoes them, and returns once they are durable: CV_OK, or
 * an error when they could not be made so (nothing of them remains).
 * Between the two, the caller holds the database's writer: do the work and
 * nothing slow. With a single-writer engine (SQLite) concurrent requests
 * share one transaction, each in a savepoint, and one COMMIT (group
 * commit: store.c); elsewhere it is store_begin/commit on the thread's
 * connection.
 */
int store_write_begin(struct store *store, struct store_conn **conn, struct cv_error *err);
int store_write_end(struct store_conn *conn, int keep);
/* Group commit so far: writes made durable, and the COMMITs it took (0, 0 when not grouped). */
void store_write_stats(struct store *store, uint64_t *writes, uint64_t *commits);

/* Run a script of ;-separated statements without parameters (migrations). */
int store_exec_script(struct store_conn *conn, const char *sql, struct cv_error *err);

/* A prepared statement for sql, from the cache when possible. */
int store_prepare(struct store_conn *conn, const char *sql, struct store_stmt **out);
/* Give the statement back: reset it and clear its bindings. NULL is a no-op. */
void store_finish(struct store_stmt *stmt);
/* Make the statement ready to bind and run again, keeping it (loops over keys). */
void store_reset(struct store_stmt *stmt);

/* Bind parameter $n (1-based). Text and blobs are copied. NULL text binds SQL NULL. */
int store_bind_text(struct store_stmt *stmt, int n, const char *value);
int store_bind_int64(struct store_stmt *stmt, int n, int64_t value);
int store_bind_double(struct store_stmt *stmt, int n, double value);
int store_bind_null(struct store_stmt *stmt, int n);

/*
 * Bind several parameters from $1 on, by a type string: 't' text (const
 * char *, NULL binds NULL), 'i' int64_t, 'd' double, 'n' NULL (no argument).
 */
int store_bindf(struct store_stmt *stmt, const char *types, ...);

/* Advance: STORE_ROW when a row is ready, STORE_DONE at the end, or an error. */
int store_step(struct store_stmt *stmt);

/* Column reads (0-based) of the current row. Text is valid until the next step. */
const char *store_col_text(struct store_stmt *stmt, int col); /* NULL when SQL NULL */
int64_t store_col_int64(struct store_stmt *stmt, int col);
double store_col_double(struct store_stmt *stmt, int col);
int store_col_is_null(struct store_stmt *stmt, int col);
int store_col_count(struct store_stmt *stmt);
const char *store_col_name(struct store_stmt *stmt, int col);

/*
 * Prepare sql, bind by types (see store_bindf), step until done and finish:
 * for statements that return no rows. *changed (may be NULL) receives the
 * number of rows written.
 */
int store_execf(struct store_conn *conn, int64_t *changed, const char *sql, const char *types, ...);

/*
 * Prepare this connection for a bulk pass (reading millions of rows, writing
 * hundreds of thousands), or return it to normal. SQLite: a large page cache
 * and memory-mapped reads instead of one read() call per page.
 */
int store_bulk_mode(struct store_conn *conn, int on);

/*
 * Prepare sql, bind by types (see store_bindf) and step once: for queries
 * that expect one row. CV_OK with *out on the row (read it, then
 * store_finish), CV_ENOTFOUND when there is no row (nothing to finish), or
 * an error.
 */
int store_query_row(struct store_conn *conn, struct store_stmt **out, const char *sql,
		    const char *types, ...);

/* Rows changed by the last statement on this connection. */
int64_t store_changes(struct store_conn *conn);
/* The driver's last error message on this connection. */
const char *store_errmsg(struct store_conn *conn);
/* Name of the engine: "sqlite" or "postgresql". */
const char *store_engine(const struct store_conn *conn);

#endif
