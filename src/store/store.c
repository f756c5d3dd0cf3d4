/*
 * store.c — connections per thread, the statement cache and transactions,
 * on top of a driver (see db.h for the contract, store_driver.h for drivers).
 *
 * Design. The HTTP server runs a fixed pool of threads; each gets its own
 * connection through a pthread key, so no connection is ever shared and no
 * lock is taken on the query path. The store keeps a list of every open
 * connection (under a mutex, touched only on open and close) so that
 * store_close() can close them all.
 *
 * Each connection caches its prepared statements in a small open-addressing
 * table keyed by the SQL text: a request prepares the same few statements
 * over and over, and compiling SQL costs more than running it. A statement
 * already handed out (a nested use of the same SQL) is not shared: the
 * second user gets a fresh statement that is finalized when finished.

 *
 * Group commit (single-writer engines: SQLite). A durable commit costs an
 * fsync (milliseconds); the work of one write request costs far less. So
 * the write requests of the HTTP server (store_write_begin/end) share one
 * connection and one open transaction: each runs in its own SAVEPOINT,
 * under the writer mutex, and then waits; the last request in the queue
 * (no thread waiting for the mutex, or the batch full) commits the batch
 * and wakes every member. A response is sent only once its write is
 * durable, and a COMMIT that fails fails every member of its batch: no
 * client is ever told of a write that is then lost. Any other transaction
 * (store_begin on a thread's own connection: workers, the CLI, login)
 * commits the open batch first, so the engine sees one writer at a time.
 */
#include "store/db.h"

#include "base/log.h"
#include "base/mem.h"
#include "store/store_driver.h"

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>

#define STMT_CACHE_SLOTS 256 /* power of two; a node uses far fewer statements */
/*
 * Most requests a batch holds before it commits even with others queued:
 * bounds the latency of the first member and what one failed COMMIT takes
 * down with it.
 */
#define BATCH_MAX_MEMBERS 128

struct store_stmt {
	struct store_conn *conn;
	void *impl;
	char *sql;
	int in_use;
	int cached;
};

struct store_conn {
	struct store *store;
	const struct store_driver *driver;
	void *impl;
	int in_tx;
	struct store_stmt *cache[STMT_CACHE_SLOTS];
	struct store_conn *next; /* in store->conns */
};

/* A write request waiting for its batch's commit. */
struct batch_ticket {
	int done;
	int rc; /* the COMMIT's outcome */
	struct batch_ticket *next;
};

/* The shared write transaction of group commit (see the top of this file). */
struct write_batch {
	struct store_conn *conn;      /* not any thread's: used under store->writer */
	int open;                     /* a transaction is open on conn */
	unsigned members;             /* requests whose writes it holds */
	struct batch_ticket *tickets; /* their tickets, to settle at commit */
	uint64_t writes, commits;     /* kept writes and the COMMITs that made them durable */
	pthread_mutex_t settle_lock;  /* guards ticket->done for waiters */
	pthread_cond_t settled;
};

struct store {
	char *url;
	const struct store_driver *driver;
	pthread_key_t key;
	pthread_mutex_t lock;
	pthread_mutex_t writer; /* held through a write transaction, for single_writer drivers */
	atomic_uint queued;     /* threads waiting for writer: a batch commits when none are */
	struct write_batch batch;
	struct store_conn *conns;
};

static const struct store_driver *const drivers[] = {&store_sqlite_driver, &store_postgres_driver};

static const struct store_driver *driver_for(const char *url)
{
	for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strncmp(url, drivers[i]->scheme, strlen(drivers[i]->scheme)) == 0)
			return drivers[i];
	/* postgres:// is libpq's short form of postgresql:// */
	if (strncmp(url, "postgres://", 11) == 0)
		return &store_postgres_driver;
	return NULL;
}

static void conn_close(struct store_conn *conn)
{
	for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
		struct store_stmt *s = conn->cache[i];
		if (s) {
			conn->driver->finalize(s->impl);
			cv_free(s->sql);
			cv_free(s);
		}
	}
	if (conn->in_tx)
		conn->driver->exec_script(conn->impl, "ROLLBACK", NULL);
	conn->driver->disconnect(conn->impl);
	cv_free(conn);
}

static void unlink_conn(struct store *store, struct store_conn *conn)
{
	pthread_mutex_lock(&store->lock);
	for (struct store_conn **p = &store->conns; *p; p = &(*p)->next) {
		if (*p == conn) {
			*p = conn->next;
			break;
		}
	}
	pthread_mutex_unlock(&store->lock);
}

/* pthread key destructor: the thread that owned the connection exits. */
static void conn_thread_exit(void *value)
{
	struct store_conn *conn = value;

	unlink_conn(conn->store, conn);
	conn_close(conn);
}

int store_open(const char *url, struct store **out, struct cv_error *err)
{
	const struct store_driver *driver = driver_for(url);
	struct store *store;

	*out = NULL;
	if (!driver)
		return cv_error_set(err, CV_EINVAL, "db",
				    "unknown database URL \"%s\": use sqlite:PATH or postgresql://...",
				    url);
	store = cv_calloc(1, sizeof(*store));
	if (!store)
		return cv_error_set(err, CV_ENOMEM, "db", "out of memory");
	store->url = cv_strdup(url);
	if (!store->url || pthread_key_create(&store->key, conn_thread_exit) != 0) {
		cv_free(store->url);
		cv_free(store);
		return cv_error_set(err, CV_ENOMEM, "db", "out of memory");
	}
	pthread_mutex_init(&store->lock, NULL);
	pthread_mutex_init(&store->writer, NULL);
	pthread_mutex_init(&store->batch.settle_lock, NULL);
	pthread_cond_init(&store->batch.settled, NULL);
	store->driver = driver;
	*out = store;
	return CV_OK;
}

void store_close(struct store *store)
{
	struct store_conn *conn;

	if (!store)
		return;
	/* Deleting the key first means no destructor runs for our connections. */
	pthread_key_delete(store->key);
	while ((conn = store->conns) != NULL) {
		store->conns = conn->next;
		conn_close(conn);
	}
	pthread_mutex_destroy(&store->lock);
	pthread_mutex_destroy(&store->writer);
	pthread_mutex_destroy(&store->batch.settle_lock);
	pthread_cond_destroy(&store->batch.settled);
	cv_free(store->url);
	cv_free(store);
}

const char *store_url(const struct store *store) { return store->url; }

/* Open a connection and list it in the store (for store_close). */
static int conn_open(struct store *store, struct store_conn **out, struct cv_error *err)
{
	struct store_conn *conn = cv_calloc(1, sizeof(*conn));
	int rc;

	if (!conn)
		return cv_error_set(err, CV_ENOMEM, "db", "out of memory");
	conn->store = store;
	conn->driver = store->driver;
	rc = store->driver->connect(store->url, &conn->impl, err);
	if (rc) {
		cv_free(conn);
		return rc;
	}
	pthread_mutex_lock(&store->lock);
	conn->next = store->conns;
	store->conns = conn;
	pthread_mutex_unlock(&store->lock);
	*out = conn;
	return CV_OK;
}

int store_conn(struct store *store, struct store_conn **out, struct cv_error *err)
{
	struct store_conn *conn = pthread_getspecific(store->key);
	int rc;

	if (conn) {
		*out = conn;
		return CV_OK;
	}
	rc = conn_open(store, &conn, err);
	if (rc)
		return rc;
	pthread_setspecific(store->key, conn);
	*out = conn;
	return CV_OK;
}

/* ---- the writer mutex and group commit ----------------------------------- */

static void writer_lock(struct store *store)
{
	atomic_fetch_add(&store->queued, 1);
	pthread_mutex_lock(&store->writer);
	atomic_fetch_sub(&store->queued, 1);
}

/*
 * End the open batch: COMMIT it when it holds writes (else roll the empty
 * transaction back) and give every member the outcome. lost: the engine
 * already ended the transaction, so every member failed. Under
 * store->writer.
 */
static void batch_settle(struct store *store, int lost)
{
	struct write_batch *b = &store->batch;
	struct store_conn *conn = b->conn;
	struct batch_ticket *t;
	int rc = lost ? CV_EDB : CV_OK;

	if (!b->open)
		return;
	if (b->members && !lost) {
		rc = conn->driver->exec_script(conn->impl, "COMMIT", NULL);
		b->commits++;
		b->writes += b->members;
		if (rc)
			cv_logerr("db", "group commit of %u writes failed: %s", b->members,
				  conn->driver->errmsg(conn->impl));
	}
	if (rc || !b->members)
		conn->driver->exec_script(conn->impl, "ROLLBACK", NULL);
	conn->in_tx = 0;
	b->open = 0;
	b->members = 0;
	pthread_mutex_lock(&b->settle_lock);
	for (t = b->tickets; t; t = t->next) {
		t->rc = rc;
		t->done = 1;
	}
	b->tickets = NULL;
	pthread_cond_broadcast(&b->settled);
	pthread_mutex_unlock(&b->settle_lock);
}

/* Leave the writer mutex; the last of the queue (or a full batch) commits. */
static void writer_unlock(struct store *store)
{
	struct write_batch *b = &store->batch;

	if (b->open && (atomic_load(&store->queued) == 0 || b->members >= BATCH_MAX_MEMBERS))
		batch_settle(store, 0);
	pthread_mutex_unlock(&store->writer);
}

int store_write_begin(struct store *store, struct store_conn **out, struct cv_error *err)
{
	struct write_batch *b = &store->batch;
	int rc;

	if (!store->driver->single_writer) {
		rc = store_conn(store, out, err);
		if (!rc && (rc = store_begin(*out)))
			cv_error_set(err, rc, "db", "%s", store_errmsg(*out));
		return rc;
	}
	writer_lock(store);
	if (!b->conn && (rc = conn_open(store, &b->conn, err)))
		goto fail;
	if (!b->open) {
		rc = b->conn->driver->exec_script(b->conn->impl, b->conn->driver->begin_sql, err);
		if (rc)
			goto fail;
		b->open = 1;
		b->conn->in_tx = 1;
	}
	rc = b->conn->driver->exec_script(b->conn->impl, "SAVEPOINT request", err);
	if (rc)
		goto fail;
	*out = b->conn;
	return CV_OK;
fail:
	writer_unlock(store);
	return rc;
}

void store_write_stats(struct store *store, uint64_t *writes, uint64_t *commits)
{
	pthread_mutex_lock(&store->writer);
	*writes = store->batch.writes;
	*commits = store->batch.commits;
	pthread_mutex_unlock(&store->writer);
}

int store_write_end(struct store_conn *conn, int keep)
{
	struct store *store = conn->store;
	struct write_batch *b = &store->batch;
	struct batch_ticket ticket = {0};
	int rc = CV_OK;

	if (!conn->driver->single_writer)
		return keep ? store_commit(conn) : store_rollback(conn);
	assert(conn == b->conn && b->open);
	if (keep && (rc = conn->driver->exec_script(conn->impl, "RELEASE request", NULL)))
		keep = 0;
	if (!keep)
		conn->driver->exec_script(conn->impl, "ROLLBACK TO request; RELEASE request", NULL);
	if (!conn->driver->in_transaction(conn->impl)) {
		/* The engine ended the whole transaction: the batch's earlier writes are gone. */
		cv_logerr("db", "the write transaction was lost: %s",
			  conn->driver->errmsg(conn->impl));
		if (keep)
			rc = CV_EDB;
		keep = 0;
		batch_settle(store, 1);
	} else if (keep) {
		ticket.next = b->tickets;
		b->tickets = &ticket;
		b->members++;
	}
	writer_unlock(store);
	if (!keep)
		return rc;
	pthread_mutex_lock(&b->settle_lock);
	while (!ticket.done)
		pthread_cond_wait(&b->settled, &b->settle_lock);
	pthread_mutex_unlock(&b->settle_lock);
	return ticket.rc;
}

int store_begin(struct store_conn *conn)
{
	int rc;

	assert(!conn->in_tx && "nested transactions are not supported");
	if (conn->driver->single_writer) {
		writer_lock(conn->store);
		batch_settle(conn->store, 0); /* the engine takes one writer at a time */
	}
	rc = conn->driver->exec_script(conn->impl, conn->driver->begin_sql, NULL);
	if (rc == CV_OK)
		conn->in_tx = 1;
	else if (conn->driver->single_writer)
		writer_unlock(conn->store);
	return rc;
}

int store_commit(struct store_conn *conn)
{
	int rc;

	assert(conn->in_tx);
	rc = conn->driver->exec_script(conn->impl, "COMMIT", NULL);
	if (rc) {
		/* A failed COMMIT leaves the transaction open in SQLite: end it. */
		conn->driver->exec_script(conn->impl, "ROLLBACK", NULL);
	}
	conn->in_tx = 0;
	if (conn->driver->single_writer)
		writer_unlock(conn->store);
	return rc;
}

int store_rollback(struct store_conn *conn)
{
	int rc;

	if (!conn->in_tx)
		return CV_OK;
	rc = conn->driver->exec_script(conn->impl, "ROLLBACK", NULL);
	conn->in_tx = 0;
	if (conn->driver->single_writer)
		writer_unlock(conn->store);
	return rc;
}

int store_in_transaction(const struct store_conn *conn) { return conn->in_tx; }

int store_bulk_mode(struct store_conn *conn, int on)
{
	const char *sql = on ? conn->driver->bulk_on_sql : conn->driver->bulk_off_sql;

	return sql ? conn->driver->exec_script(conn->impl, sql, NULL) : CV_OK;
}

int store_exec_script(struct store_conn *conn, const char *sql, struct cv_error *err)
{
	return conn->driver->exec_script(conn->impl, sql, err);
}

static size_t hash_sql(const char *sql)
{
	size_t h = 1469598103934665603ULL; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static int stmt_new(struct store_conn *conn, const char *sql, struct store_stmt **out)
{
	struct store_stmt *s = cv_calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return CV_ENOMEM;
	s->sql = cv_strdup(sql);
	if (!s->sql) {
		cv_free(s);
		return CV_ENOMEM;
	}
	rc = conn->driver->prepare(conn->impl, sql, &s->impl);
	if (rc) {
		cv_warn("store", "cannot prepare SQL: %s", conn->driver->errmsg(conn->impl));
		cv_free(s->sql);
		cv_free(s);
		return rc;
	}
	s->conn = conn;
	*out = s;
	return CV_OK;
}

int store_prepare(struct store_conn *conn, const char *sql, struct store_stmt **out)
{
	size_t mask = STMT_CACHE_SLOTS - 1;
	size_t slot = hash_sql(sql) & mask;
	struct store_stmt *s;
	int rc;

	for (size_t probe = 0; probe < STMT_CACHE_SLOTS; probe++, slot = (slot + 1) & mask) {
		s = conn->cache[slot];
		if (!s)
			break;
		if (strcmp(s->sql, sql) == 0) {
			if (s->in_use)
				break; /* nested use: a private statement below */
			s->in_use = 1;
			*out = s;
			return CV_OK;
		}
	}
	rc = stmt_new(conn, sql, &s);
	if (rc)
		return rc;
	s->in_use = 1;
	if (!conn->cache[slot]) {
		s->cached = 1;
		conn->cache[slot] = s;
	}
	*out = s;
	return CV_OK;
}

void store_finish(struct store_stmt *stmt)
{
	if (!stmt)
		return;
	if (!stmt->cached) {
		stmt->conn->driver->finalize(stmt->impl);
		cv_free(stmt->sql);
		cv_free(stmt);
		return;
	}
	stmt->conn->driver->reset(stmt->impl);
	stmt->in_use = 0;
}

void store_reset(struct store_stmt *stmt) { stmt->conn->driver->reset(stmt->impl); }

#define DRV(stmt) ((stmt)->conn->driver)

int store_bind_text(struct store_stmt *s, int n, const char *v)
{
	return v ? DRV(s)->bind_text(s->impl, n, v) : DRV(s)->bind_null(s->impl, n);
}
int store_bind_int64(struct store_stmt *s, int n, int64_t v)
{
	return DRV(s)->bind_int64(s->impl, n, v);
}
int store_bind_double(struct store_stmt *s, int n, double v)
{
	return DRV(s)->bind_double(s->impl, n, v);
}
int store_bind_null(struct store_stmt *s, int n) { return DRV(s)->bind_null(s->impl, n); }
int store_step(struct store_stmt *s) { return DRV(s)->step(s->impl); }
const char *store_col_text(struct store_stmt *s, int c) { return DRV(s)->col_text(s->impl, c); }
int64_t store_col_int64(struct store_stmt *s, int c) { return DRV(s)->col_int64(s->impl, c); }
double store_col_double(struct store_stmt *s, int c) { return DRV(s)->col_double(s->impl, c); }
int store_col_is_null(struct store_stmt *s, int c) { return DRV(s)->col_is_null(s->impl, c); }
int store_col_count(struct store_stmt *s) { return DRV(s)->col_count(s->impl); }
const char *store_col_name(struct store_stmt *s, int c) { return DRV(s)->col_name(s->impl, c); }
int64_t store_changes(struct store_conn *conn) { return conn->driver->changes(conn->impl); }
const char *store_errmsg(struct store_conn *conn) { return conn->driver->errmsg(conn->impl); }
const char *store_engine(const struct store_conn *conn) { return conn->driver->name; }

static int bind_va(struct store_stmt *stmt, const char *types, va_list ap)
{
	int rc = CV_OK;

	for (int n = 1; types[n - 1] && rc == CV_OK; n++) {
		switch (types[n - 1]) {
		case 't': rc = store_bind_text(stmt, n, va_arg(ap, const char *)); break;
		case 'i': rc = store_bind_int64(stmt, n, va_arg(ap, int64_t)); break;
		case 'd': rc = store_bind_double(stmt, n, va_arg(ap, double)); break;
		case 'n': rc = store_bind_null(stmt, n); break;
		default: assert(!"unknown bind type"); rc = CV_EINTERNAL;
		}
	}
	return rc;
}

int store_bindf(struct store_stmt *stmt, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = bind_va(stmt, types, ap);
	va_end(ap);
	return rc;
}

int store_execf(struct store_conn *conn, int64_t *changed, const char *sql, const char *types, ...)
{
	struct store_stmt *stmt;
	va_list ap;
	int rc;

	rc = store_prepare(conn, sql, &stmt);
	if (rc)
		return rc;
	va_start(ap, types);
	rc = bind_va(stmt, types, ap);
	va_end(ap);
	if (rc == CV_OK) {
		do
			rc = store_step(stmt);
		while (rc == STORE_ROW);
	}
	if (rc == STORE_DONE) {
		rc = CV_OK;
		if (changed)
			*changed = store_changes(conn);
	}
	store_finish(stmt);
	return rc;
}

int store_query_row(struct store_conn *conn, struct store_stmt **out, const char *sql,
		    const char *types, ...)
{
	struct store_stmt *stmt;
	va_list ap;
	int rc;

	*out = NULL;
	rc = store_prepare(conn, sql, &stmt);
	if (rc)
		return rc;
	va_start(ap, types);
	rc = bind_va(stmt, types, ap);
	va_end(ap);
	if (!rc)
		rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*out = stmt;
		return CV_OK;
	}
	store_finish(stmt);
	return rc == STORE_DONE ? CV_ENOTFOUND : rc;
}
