/*
 * audit.h — the append-only, hash-chained audit log.
 *
 * Every state-changing request writes one audit row in the same transaction
 * as the change, so the log and the data cannot disagree. Row n carries
 * hash_n = SHA-256(hash_{n-1} || canonical(row n)), with hash_0 = 64 zeros,
 * so changing, removing or reordering any row breaks every later hash.
 * The single-row table audit_head holds the last seq and hash: appends
 * serialize on it, and a truncated tail no longer matches it.
 *
 * canonical(row) is each of seq, id, at, actor, action, entity_type,
 * entity_id, detail written as "<byte length>:<bytes>\n" — unambiguous
 * whatever the fields contain, and easy to recompute in any language.
 *
 * Volume: one row per write; a node with ~50 writes a second at peak writes
 * ~4 million rows a day at most; verify reads them in one pass.
 * Thread-safe as far as the store is: use the calling thread's connection.
 */
#ifndef CV_AUDIT_AUDIT_H
#define CV_AUDIT_AUDIT_H

#include "store/db.h"

#include <stdint.h>

struct audit_event {
	const char *actor;       /* username, "system" or "anonymous" */
	const char *action;      /* "user.create", "auth.login", ... */
	const char *entity_type; /* "user"; "" when none */
	const char *entity_id;   /* id of the entity; "" when none */
	const char *detail;      /* JSON object text; NULL means "{}" */
};

/*
 * Append one event. Must be called inside a write transaction on conn
 * (store_begin), which it neither starts nor ends. *seq (may be NULL)
 * receives the row's sequence number.
 */
int audit_append(struct store_conn *conn, const struct audit_event *event, int64_t *seq,
		 struct cv_error *err);

struct audit_verify_result {
	int64_t rows;       /* rows checked */
	int64_t broken_seq; /* first row that breaks the chain; 0 when intact */
	char reason[256];   /* why it breaks */
};

/*
 * Recompute the whole chain. Returns CV_OK with broken_seq 0 when intact,
 * CV_OK with broken_seq set when not (the check itself succeeded), or an
 * error when the database could not be read.
 */
int audit_verify(struct store_conn *conn, struct audit_verify_result *result, struct cv_error *err);

#endif
