/*
 * issued.c — credentials the node issued and their status lists (see
 * issued.h; tables in migration 019).
 *
 * The table `changes` is the whole lifecycle of an issued credential's
 * status. Every write states the status it expects in its WHERE clause, so
 * two officers changing one credential at once cannot both win; an index
 * is taken with one UPDATE ... RETURNING on the open list, which PostgreSQL
 * and SQLite both serialize, and its guard (allocated < size) keeps a full
 * list full.
 */
#include "exchange/issued.h"

#include "exchange/jcs.h"

#include <stdio.h>
#include <string.h>

/* Entries per list: the spec's default and minimum, 16 KB of bits. */
#define STATUS_LIST_SIZE EXCHANGE_STATUS_LIST_MIN_BITS
#define MAX_FROM 2

struct change {
	const char *action;
	const char *to;
	const char *from[MAX_FROM];
	const char *purpose; /* the entry whose bit the change moves */
};

static const struct change changes[] = {
	{"suspend", "suspended", {"active"}, EXCHANGE_STATUS_SUSPENSION},
	{"lift", "active", {"suspended"}, EXCHANGE_STATUS_SUSPENSION},
	{"revoke", "revoked", {"active", "suspended"}, EXCHANGE_STATUS_REVOCATION},
};

#define NCHANGES (sizeof(changes) / sizeof(changes[0]))

static const char *const kinds[] = {EXCHANGE_KIND_AEO_STATUS, EXCHANGE_KIND_ADVANCE_CARGO,
				    EXCHANGE_KIND_CERTIFICATE_OF_ORIGIN, NULL};

static int kind_known(const char *kind)
{
	for (size_t i = 0; kind && kinds[i]; i++)
		if (!strcmp(kinds[i], kind))
			return 1;
	return 0;
}

/* Take the next index of the open list of purpose, opening a new list when needed. */
static int allocate(struct store_conn *conn, const char *purpose, const char *now,
		    struct exchange_status_slot *slot)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "UPDATE status_lists SET allocated = allocated + 1"
				 " WHERE id = (SELECT id FROM status_lists WHERE purpose = $1 AND allocated < size"
				 " ORDER BY id DESC LIMIT 1) AND allocated < size RETURNING id, allocated - 1",
				 "t", purpose);

	if (rc == CV_OK) {
		snprintf(slot->list_id, sizeof(slot->list_id), "%s", store_col_text(stmt, 0));
		slot->index = store_col_int64(stmt, 1);
		store_finish(stmt);
		return CV_OK;
	}
	if (rc != CV_ENOTFOUND)
		return rc;
	cv_uuid7(slot->list_id);
	slot->index = 0;
	return store_execf(conn, NULL,
			   "INSERT INTO status_lists (id, purpose, size, allocated, created_at)"
			   " VALUES ($1, $2, $3, 1, $4)",
			   "ttit", slot->list_id, purpose, (int64_t)STATUS_LIST_SIZE, now);
}

static int add_entry(struct store_conn *conn, const char *credential_id, const char *purpose,
		     const char *now, struct exchange_status_slot *slot)
{
	int rc = allocate(conn, purpose, now, slot);

	if (rc)
		return rc;
	return store_execf(conn, NULL,
			   "INSERT INTO issued_credential_status (credential_id, list_id, list_index,"
			   " purpose) VALUES ($1, $2, $3, $4)",
			   "ttit", credential_id, slot->list_id, slot->index, purpose);
}

int exchange_issued_new(struct store_conn *conn, const struct exchange_issue *issue, int64_t now_ms,
			struct exchange_issued *out, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!kind_known(issue->kind))
		return cv_error_set(err, CV_EINVAL, "kind",
				    "kind must be " EXCHANGE_KIND_AEO_STATUS
				    ", " EXCHANGE_KIND_ADVANCE_CARGO
				    " or " EXCHANGE_KIND_CERTIFICATE_OF_ORIGIN);
	if (!issue->subject || !issue->subject[0] || strlen(issue->subject) > EXCHANGE_SUBJECT_MAX)
		return cv_error_set(err, CV_EINVAL, "subject",
				    "subject names what the credential is about (1 to %d bytes)",
				    EXCHANGE_SUBJECT_MAX);
	cv_clock_format_rfc3339(now_ms, now, sizeof(now));
	cv_uuid7(out->id);
	snprintf(out->kind, sizeof(out->kind), "%s", issue->kind);
	snprintf(out->subject, sizeof(out->subject), "%s", issue->subject);
	snprintf(out->status, sizeof(out->status), "active");
	snprintf(out->issued_at, sizeof(out->issued_at), "%s", now);
	snprintf(out->updated_at, sizeof(out->updated_at), "%s", now);
	rc = store_execf(conn, NULL,
			 "INSERT INTO issued_credentials (id, kind, subject, status, issued_at,"
			 " updated_at) VALUES ($1, $2, $3, 'active', $4, $4)",
			 "tttt", out->id, out->kind, out->subject, now);
	if (!rc && issue->revocable)
		rc = add_entry(conn, out->id, EXCHANGE_STATUS_REVOCATION, now, &out->revocation);
	if (!rc && issue->suspendable)
		rc = add_entry(conn, out->id, EXCHANGE_STATUS_SUSPENSION, now, &out->suspension);
	if (rc && err && !err->message[0])
		cv_error_set(err, rc, NULL, "cannot record the credential: %s", store_errmsg(conn));
	return rc;
}

int exchange_issued_get(struct store_conn *conn, const char *id, struct exchange_issued *out)
{
	struct store_stmt *stmt;
	int rc;

	/* Before out is cleared: id may be out->id (read it again). */
	rc = store_query_row(conn, &stmt,
			     "SELECT id, kind, subject, status, issued_at, updated_at"
			     " FROM issued_credentials WHERE id = $1",
			     "t", id);
	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	snprintf(out->id, sizeof(out->id), "%s", store_col_text(stmt, 0));
	snprintf(out->kind, sizeof(out->kind), "%s", store_col_text(stmt, 1));
	snprintf(out->subject, sizeof(out->subject), "%s", store_col_text(stmt, 2));
	snprintf(out->status, sizeof(out->status), "%s", store_col_text(stmt, 3));
	snprintf(out->issued_at, sizeof(out->issued_at), "%s", store_col_text(stmt, 4));
	snprintf(out->updated_at, sizeof(out->updated_at), "%s", store_col_text(stmt, 5));
	store_finish(stmt);
	rc = store_prepare(conn,
			   "SELECT purpose, list_id, list_index FROM issued_credential_status"
			   " WHERE credential_id = $1",
			   &stmt);
	if (rc)
		return rc;
	rc = store_bindf(stmt, "t", out->id);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		struct exchange_status_slot *slot = !strcmp(store_col_text(stmt, 0),
							    EXCHANGE_STATUS_REVOCATION)
							    ? &out->revocation
							    : &out->suspension;
		snprintf(slot->list_id, sizeof(slot->list_id), "%s", store_col_text(stmt, 1));
		slot->index = store_col_int64(stmt, 2);
		rc = CV_OK;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int exchange_issued_find(struct store_conn *conn, const char *kind, const char *subject,
			 struct exchange_issued *out)
{
	struct store_stmt *stmt;
	char id[CV_UUID_STR];
	int rc = store_query_row(conn, &stmt,
				 "SELECT id FROM issued_credentials WHERE kind = $1 AND subject = $2"
				 " ORDER BY issued_at DESC, id DESC LIMIT 1",
				 "tt", kind, subject);

	if (rc)
		return rc;
	snprintf(id, sizeof(id), "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	return exchange_issued_get(conn, id, out);
}

/* {base_url}/api/v1/status-lists/{list_id}, base_url without its trailing slashes. */
static int list_url(const char *base_url, const char *list_id, struct cv_buf *out)
{
	size_t n = strlen(base_url);

	while (n > 0 && base_url[n - 1] == '/')
		n--;
	return cv_buf_addf(out, "%.*s" EXCHANGE_STATUS_LIST_PATH "%s", (int)n, base_url, list_id);
}

static int append_entry(json_t *entries, const char *purpose, const struct exchange_status_slot *s,
			const char *base_url)
{
	struct cv_buf url, id;
	char index[24];
	int rc;

	if (!s->list_id[0])
		return CV_OK;
	cv_buf_init(&url);
	cv_buf_init(&id);
	snprintf(index, sizeof(index), "%lld", (long long)s->index);
	rc = list_url(base_url, s->list_id, &url);
	if (!rc)
		rc = cv_buf_addf(&id, "%s#%s", cv_buf_str(&url), index);
	/* The entry's id is not the list's URL (the spec forbids it): the list's, then #index. */
	if (!rc &&
	    json_array_append_new(entries,
				  json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", cv_buf_str(&id),
					    "type", EXCHANGE_STATUS_LIST_ENTRY, "statusPurpose",
					    purpose, "statusListIndex", index,
					    "statusListCredential", cv_buf_str(&url))))
		rc = CV_ENOMEM;
	cv_buf_release(&url);
	cv_buf_release(&id);
	return rc;
}

int exchange_issued_status(const struct exchange_issued *c, const char *base_url, json_t **entries)
{
	int rc;

	*entries = json_array();
	if (!*entries)
		return CV_ENOMEM;
	rc = append_entry(*entries, EXCHANGE_STATUS_REVOCATION, &c->revocation, base_url);
	if (!rc)
		rc = append_entry(*entries, EXCHANGE_STATUS_SUSPENSION, &c->suspension, base_url);
	if (rc) {
		json_decref(*entries);
		*entries = NULL;
	}
	return rc;
}

int exchange_issued_set_document(struct store_conn *conn, const char *id, const json_t *signed_doc,
				 int64_t now_ms, struct cv_error *err)
{
	char now[CV_RFC3339_MAX];
	struct cv_buf text;
	int64_t changed = 0;
	int rc;

	if (!json_is_object(json_object_get(signed_doc, "proof")))
		return cv_error_set(err, CV_EINVAL, "proof", "only a signed document is kept");
	/* The canonical form: the very bytes whose hash was signed. */
	cv_buf_init(&text);
	rc = exchange_jcs_serialize(signed_doc, &text, err);
	if (rc) {
		cv_buf_release(&text);
		return rc;
	}
	cv_clock_format_rfc3339(now_ms, now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE issued_credentials SET document = $2, updated_at = $3 WHERE id = $1",
			 "ttt", id, cv_buf_str(&text), now);
	cv_buf_release(&text);
	if (!rc && !changed)
		return cv_error_set(err, CV_ENOTFOUND, "id", "no credential %s was issued", id);
	return rc;
}

int exchange_issued_document(struct store_conn *conn, const char *id, json_t **doc)
{
	struct store_stmt *stmt;
	const char *text;
	int rc = store_query_row(conn, &stmt,
				 "SELECT document FROM issued_credentials WHERE id = $1", "t", id);

	*doc = NULL;
	if (rc)
		return rc;
	text = store_col_text(stmt, 0);
	rc = text[0] ? exchange_jcs_parse(text, strlen(text), "issued_credentials.document", doc,
					  NULL)
		     : CV_ENOTFOUND;
	store_finish(stmt);
	return rc;
}

static int change_allows(const struct change *c, const char *status)
{
	for (int i = 0; i < MAX_FROM && c->from[i]; i++)
		if (!strcmp(c->from[i], status))
			return 1;
	return 0;
}

/* The actions status allows, as "suspend, revoke". */
static const char *allowed(const char *status, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NCHANGES; i++) {
		int n;

		if (!change_allows(&changes[i], status))
			continue;
		n = snprintf(out + used, size - used, "%s%s", used ? ", " : "", changes[i].action);
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
	if (!used)
		snprintf(out, size, "none (revocation is final)");
	return out;
}

int exchange_issued_change(struct store_conn *conn, const char *id, const char *action,
			   int64_t now_ms, struct exchange_issued *out, struct cv_error *err)
{
	const struct change *c = NULL;
	struct exchange_issued current;
	const struct exchange_status_slot *slot;
	char now[CV_RFC3339_MAX], list[64];
	int64_t changed = 0;
	int rc;

	for (size_t i = 0; action && i < NCHANGES; i++)
		if (!strcmp(changes[i].action, action))
			c = &changes[i];
	if (!c)
		return cv_error_set(err, CV_EINVAL, "action",
				    "action must be suspend, lift or revoke");
	rc = exchange_issued_get(conn, id, &current);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, CV_ENOTFOUND, "id", "no credential %s was issued", id);
	if (rc)
		return rc;
	if (!change_allows(c, current.status))
		return cv_error_set(err, CV_ECONFLICT, "action",
				    "cannot %s a credential that is %s; allowed: %s", c->action,
				    current.status, allowed(current.status, list, sizeof(list)));
	slot = !strcmp(c->purpose, EXCHANGE_STATUS_REVOCATION) ? &current.revocation
							       : &current.suspension;
	if (!slot->list_id[0])
		return cv_error_set(err, CV_ECONFLICT, "action",
				    "cannot %s: the credential was issued without a %s entry",
				    c->action, c->purpose);
	cv_clock_format_rfc3339(now_ms, now, sizeof(now));
	rc = store_execf(conn, &changed,
			 "UPDATE issued_credentials SET status = $2, updated_at = $3"
			 " WHERE id = $1 AND status = $4",
			 "tttt", current.id, c->to, now, current.status);
	if (!rc && !changed)
		return cv_error_set(err, CV_ECONFLICT, "action",
				    "the credential changed meanwhile; read it again");
	if (rc)
		return rc;
	return out ? exchange_issued_get(conn, current.id, out) : CV_OK;
}

int exchange_status_list_load(struct store_conn *conn, const char *list_id,
			      struct exchange_status_list *list, char purpose[16],
			      struct cv_error *err)
{
	struct store_stmt *stmt;
	int64_t size;
	int rc = store_query_row(conn, &stmt, "SELECT purpose, size FROM status_lists WHERE id = $1",
				 "t", list_id);

	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, CV_ENOTFOUND, "id", "no status list has this id");
	if (rc)
		return rc;
	snprintf(purpose, 16, "%s", store_col_text(stmt, 0));
	size = store_col_int64(stmt, 1);
	store_finish(stmt);
	rc = exchange_status_list_init(list, (uint64_t)size);
	if (rc)
		return cv_error_set(err, rc, NULL, "cannot make a status list of %lld entries",
				    (long long)size);
	rc = store_prepare(conn,
			   "SELECT s.list_index FROM issued_credential_status s"
			   " JOIN issued_credentials c ON c.id = s.credential_id"
			   " WHERE s.list_id = $1 AND c.status = $2",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "tt", list_id,
				 !strcmp(purpose, EXCHANGE_STATUS_REVOCATION) ? "revoked"
									      : "suspended");
	while (!rc && (rc = store_step(stmt)) == STORE_ROW)
		rc = exchange_status_list_set(list, (uint64_t)store_col_int64(stmt, 0), 1, err);
	store_finish(stmt);
	if (rc < 0) {
		exchange_status_list_release(list);
		return rc;
	}
	return CV_OK;
}

int exchange_status_list_publish(const char *list_id, const struct exchange_status_list *list,
				 const char *purpose, const struct exchange_publication *p,
				 const struct exchange_signer *signer, json_t **signed_list,
				 struct cv_error *err)
{
	struct exchange_status_list_options o = {0};
	struct exchange_proof_options proof = {0};
	char from[CV_RFC3339_MAX], until[CV_RFC3339_MAX];
	struct cv_buf url;
	json_t *unsigned_list = NULL;
	int rc;

	*signed_list = NULL;
	cv_buf_init(&url);
	if (list_url(p->base_url, list_id, &url)) {
		cv_buf_release(&url);
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	}
	cv_clock_format_rfc3339(p->now_ms, from, sizeof(from));
	cv_clock_format_rfc3339(p->now_ms + p->validity_ms, until, sizeof(until));
	o.id = cv_buf_str(&url);
	o.issuer = signer->issuer;
	o.purpose = purpose;
	o.valid_from = from;
	o.valid_until = p->validity_ms > 0 ? until : NULL;
	o.ttl_ms = p->ttl_ms;
	rc = exchange_status_list_credential_new(&o, list, &unsigned_list, err);
	if (rc == CV_OK) {
		proof.verification_method = signer->verification_method;
		proof.created = from;
		rc = exchange_credential_sign(unsigned_list, signer->key, &proof, signed_list, err);
	}
	json_decref(unsigned_list);
	cv_buf_release(&url);
	return rc;
}
