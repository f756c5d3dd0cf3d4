/* audit.c — see audit.h for the chain and its canonical form. */
#include "audit/audit.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/ids.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct audit_row {
	int64_t seq;
	const char *id, *at, *actor, *action, *entity_type, *entity_id, *detail;
};

static int add_field(struct cv_buf *buf, const char *value)
{
	return cv_buf_addf(buf, "%zu:%s\n", strlen(value), value);
}

/* hash = SHA-256(prev_hash || canonical(row)), as lower-case hex. */
static int row_hash(const char *prev_hash, const struct audit_row *row, char out[CV_SHA256_HEX])
{
	struct cv_buf buf;
	char seq[24];
	int rc;

	cv_buf_init(&buf);
	snprintf(seq, sizeof(seq), "%" PRId64, row->seq);
	rc = cv_buf_adds(&buf, prev_hash);
	if (!rc)
		rc = add_field(&buf, seq);
	if (!rc)
		rc = add_field(&buf, row->id);
	if (!rc)
		rc = add_field(&buf, row->at);
	if (!rc)
		rc = add_field(&buf, row->actor);
	if (!rc)
		rc = add_field(&buf, row->action);
	if (!rc)
		rc = add_field(&buf, row->entity_type);
	if (!rc)
		rc = add_field(&buf, row->entity_id);
	if (!rc)
		rc = add_field(&buf, row->detail);
	if (!rc)
		cv_sha256_hex(buf.data, buf.len, out);
	cv_buf_release(&buf);
	return rc;
}

static int read_head(struct store_conn *conn, int64_t *seq, char hash[CV_SHA256_HEX])
{
	struct store_stmt *stmt;
	int rc = store_prepare(conn, "SELECT seq, hash FROM audit_head WHERE id = 1", &stmt);

	if (rc)
		return rc;
	rc = store_step(stmt);
	if (rc == STORE_ROW) {
		*seq = store_col_int64(stmt, 0);
		snprintf(hash, CV_SHA256_HEX, "%s", store_col_text(stmt, 1));
		rc = CV_OK;
	} else if (rc == STORE_DONE) {
		rc = CV_EDB; /* the migration inserts the head: it must be there */
	}
	store_finish(stmt);
	return rc;
}

int audit_append(struct store_conn *conn, const struct audit_event *ev, int64_t *seq_out,
		 struct cv_error *err)
{
	char prev[CV_SHA256_HEX], hash[CV_SHA256_HEX], id[CV_UUID_STR], at[CV_RFC3339_MAX];
	struct audit_row row;
	int64_t seq;
	int rc;

	assert(store_in_transaction(conn));
	/* Touch the head first: in PostgreSQL this takes the row lock that orders appends. */
	rc = store_execf(conn, NULL, "UPDATE audit_head SET seq = seq WHERE id = 1", "");
	if (!rc)
		rc = read_head(conn, &seq, prev);
	if (rc)
		return cv_error_set(err, rc, "audit", "cannot read the audit chain head: %s",
				    store_errmsg(conn));
	cv_uuid7(id);
	cv_clock_format_rfc3339_ms(cv_clock_now_ms(), at, sizeof(at));
	row = (struct audit_row){
		.seq = seq + 1,
		.id = id,
		.at = at,
		.actor = ev->actor ? ev->actor : "system",
		.action = ev->action,
		.entity_type = ev->entity_type ? ev->entity_type : "",
		.entity_id = ev->entity_id ? ev->entity_id : "",
		.detail = ev->detail ? ev->detail : "{}",
	};
	rc = row_hash(prev, &row, hash);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO audit_log (seq, id, at, actor, action, entity_type,"
				 " entity_id, detail, prev_hash, hash)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
				 "itttttttt"
				 "t",
				 row.seq, row.id, row.at, row.actor, row.action, row.entity_type,
				 row.entity_id, row.detail, prev, hash);
	if (!rc)
		rc = store_execf(conn, NULL,
				 "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", "it",
				 row.seq, hash);
	if (rc)
		return cv_error_set(err, rc, "audit", "cannot append to the audit log: %s",
				    store_errmsg(conn));
	if (seq_out)
		*seq_out = row.seq;
	return CV_OK;
}

static void broken(struct audit_verify_result *r, int64_t seq, const char *reason)
{
	r->broken_seq = seq;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

static const char *text_or_empty(struct store_stmt *stmt, int col)
{
	const char *s = store_col_text(stmt, col);
	return s ? s : "";
}

int audit_verify(struct store_conn *conn, struct audit_verify_result *r, struct cv_error *err)
{
	char prev[CV_SHA256_HEX] = GENESIS_HASH, expect[CV_SHA256_HEX], head_hash[CV_SHA256_HEX];
	struct store_stmt *stmt;
	int64_t head_seq, expected_seq = 1;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = read_head(conn, &head_seq, head_hash);
	if (rc)
		return cv_error_set(err, rc, "audit", "cannot read the audit chain head: %s",
				    store_errmsg(conn));
	rc = store_prepare(conn,
			   "SELECT seq, id, at, actor, action, entity_type, entity_id, detail,"
			   " prev_hash, hash FROM audit_log ORDER BY seq",
			   &stmt);
	if (rc)
		return cv_error_set(err, rc, "audit", "cannot read the audit log: %s",
				    store_errmsg(conn));
	while ((rc = store_step(stmt)) == STORE_ROW) {
		struct audit_row row = {
			.seq = store_col_int64(stmt, 0),
			.id = text_or_empty(stmt, 1),
			.at = text_or_empty(stmt, 2),
			.actor = text_or_empty(stmt, 3),
			.action = text_or_empty(stmt, 4),
			.entity_type = text_or_empty(stmt, 5),
			.entity_id = text_or_empty(stmt, 6),
			.detail = text_or_empty(stmt, 7),
		};
		const char *stored_prev = text_or_empty(stmt, 8);
		const char *stored_hash = text_or_empty(stmt, 9);

		r->rows++;
		if (row.seq != expected_seq) {
			broken(r, expected_seq, "row missing: sequence numbers have a gap");
			break;
		}
		if (strcmp(stored_prev, prev) != 0) {
			broken(r, row.seq, "prev_hash does not match the previous row's hash");
			break;
		}
		rc = row_hash(prev, &row, expect);
		if (rc)
			break;
		if (strcmp(stored_hash, expect) != 0) {
			broken(r, row.seq, "content does not match its hash: the row was altered");
			break;
		}
		snprintf(prev, sizeof(prev), "%s", stored_hash);
		expected_seq++;
	}
	store_finish(stmt);
	if (rc < 0)
		return cv_error_set(err, rc, "audit", "cannot read the audit log: %s",
				    store_errmsg(conn));
	if (!r->broken_seq && (head_seq != expected_seq - 1 || strcmp(head_hash, prev) != 0))
		broken(r, expected_seq, "rows at the end are missing: the chain head is further on");
	return CV_OK;
}
