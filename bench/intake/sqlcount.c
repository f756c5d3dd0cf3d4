/*
 * sqlcount.c — an LD_PRELOAD shim for profiling (docs/PERFORMANCE.md,
 * "Single window intake"): counts every SQL statement a process runs through
 * SQLite, with its wall-clock time, and the pages each connection writes;
 * prints the table to standard error at exit, sorted by time. Not part of
 * caravan; it changes nothing in what SQLite does.
 *
 *   cc -O2 -shared -fPIC -o build/bench/sqlcount.so bench/intake/sqlcount.c -ldl -lsqlite3
 *   LD_PRELOAD=build/bench/sqlcount.so build/caravan serve ... 2>sql.txt   (stop with Ctrl-C)
 *
 * A statement is counted once per execution (its first sqlite3_step after a
 * reset), its time is the sum of all its steps. sqlite3_exec (BEGIN
 * IMMEDIATE, COMMIT, ROLLBACK) is timed whole; after a COMMIT the shim reads
 * and resets SQLITE_DBSTATUS_CACHE_WRITE (pages written to the WAL).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOTS 4096

struct entry {
	char *sql;
	long calls, steps;
	double seconds;
};

static struct entry table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long commits, pages;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void add(const char *sql, int first, double seconds)
{
	unsigned long h = 5381;
	size_t i;

	if (!sql)
		sql = "(null)";
	for (const char *p = sql; *p; p++)
		h = h * 33 + (unsigned char)*p;
	pthread_mutex_lock(&lock);
	for (i = h % SLOTS; table[i].sql && strcmp(table[i].sql, sql); i = (i + 1) % SLOTS)
		;
	if (!table[i].sql)
		table[i].sql = strdup(sql);
	table[i].calls += first;
	table[i].steps++;
	table[i].seconds += seconds;
	pthread_mutex_unlock(&lock);
}

int sqlite3_step(sqlite3_stmt *stmt)
{
	static int (*real)(sqlite3_stmt *);
	int first = !sqlite3_stmt_busy(stmt), rc;
	double t;

	if (!real)
		real = (int (*)(sqlite3_stmt *))dlsym(RTLD_NEXT, "sqlite3_step");
	t = now();
	rc = real(stmt);
	add(sqlite3_sql(stmt), first, now() - t);
	return rc;
}

int sqlite3_exec(sqlite3 *db, const char *sql, int (*cb)(void *, int, char **, char **), void *arg,
		 char **errmsg)
{
	static int (*real)(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *,
			   char **);
	double t;
	int rc;

	if (!real)
		real = (int (*)(sqlite3 *, const char *, int (*)(void *, int, char **, char **),
				void *, char **))dlsym(RTLD_NEXT, "sqlite3_exec");
	t = now();
	rc = real(db, sql, cb, arg, errmsg);
	add(sql, 1, now() - t);
	if (sql && !strcmp(sql, "COMMIT")) {
		int cur = 0, hi = 0;
		sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_WRITE, &cur, &hi, 1);
		pthread_mutex_lock(&lock);
		commits++;
		pages += cur;
		pthread_mutex_unlock(&lock);
	}
	return rc;
}

static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	return (x->seconds < y->seconds) - (x->seconds > y->seconds);
}

__attribute__((destructor)) static void report(void)
{
	long calls = 0;
	double seconds = 0;

	qsort(table, SLOTS, sizeof(table[0]), by_time);
	for (int i = 0; i < SLOTS; i++) {
		calls += table[i].calls;
		seconds += table[i].seconds;
	}
	fprintf(stderr,
		"sqlcount: %ld statement executions, %.3f s in SQLite; %ld commits, %ld pages written by them\n",
		calls, seconds, commits, pages);
	fprintf(stderr, "sqlcount: %10s %10s %10s %10s  %s\n", "calls", "steps", "total ms",
		"us/call", "sql");
	for (int i = 0; i < SLOTS && table[i].sql; i++)
		fprintf(stderr, "sqlcount: %10ld %10ld %10.1f %10.1f  %.160s\n", table[i].calls,
			table[i].steps, table[i].seconds * 1e3,
			table[i].calls ? table[i].seconds * 1e6 / table[i].calls : 0, table[i].sql);
}
