/*
 * outbox.c — queueing and delivering documents for partners (see outbox.h).
 *
 * Design. Delivery is at least once, and the receiver makes it exactly
 * once: a document keeps its id across attempts, and a partner's inbox
 * acknowledges a replay without acting on it again. So the worker can be
 * simple about crashes: it reads what is due, sends, and only then records
 * the outcomes in one transaction; a crash in between re-sends documents
 * the partner already has, which it acknowledges as duplicates.
 *
 * In order per partner: a document waits while an earlier one for the same
 * partner waits for its next attempt (the due query), and after a failed
 * attempt in a round the partner's later documents wait for the next round.
 * No statement stays open while the network is used.
 */
#include "exchange/outbox.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "exchange/jcs.h"

#include <assert.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define URN_UUID "urn:uuid:"
#define RESPONSE_MAX (64 * 1024)
#define CONNECT_TIMEOUT_MS 5000
#define BACKOFF_SHIFT_MAX 20
#define WHY_MAX 400

/* Is kind one of the document's types? */
static int has_type(const json_t *document, const char *kind)
{
	const json_t *types = json_object_get(document, "type");
	size_t i;
	json_t *t;

	if (json_is_string(types))
		return !strcmp(json_string_value(types), kind);
	json_array_foreach(types, i, t) {
		if (json_is_string(t) && !strcmp(json_string_value(t), kind))
			return 1;
	}
	return 0;
}

/* A copy of document with an id (urn:uuid:UUIDv7 when it has none). */
static int with_id(const json_t *document, json_t **out, struct cv_error *err)
{
	const json_t *id = json_object_get(document, "id");
	char uuid[CV_UUID_STR];

	*out = json_deep_copy(document);
	if (!*out)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	if (!id) {
		cv_uuid7(uuid);
		if (json_object_set_new(*out, "id", json_sprintf(URN_UUID "%s", uuid)))
			return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
		return CV_OK;
	}
	if (!json_is_string(id) || !json_string_length(id) ||
	    json_string_length(id) > EXCHANGE_DOCUMENT_ID_MAX)
		return cv_error_set(err, CV_EINVAL, "id",
				    "the document's id must be a string of 1 to %d characters",
				    EXCHANGE_DOCUMENT_ID_MAX);
	return CV_OK;
}

int exchange_outbox_queue(struct store_conn *conn, const struct exchange_node *node,
			  const char *partner_id, const char *kind, const json_t *document,
			  char message_id[CV_UUID_STR], struct cv_error *err)
{
	struct exchange_partner partner;
	json_t *copy = NULL, *secured = NULL;
	char id[CV_UUID_STR], now[CV_RFC3339_MAX];
	struct store_stmt *stmt;
	struct cv_buf body;
	int64_t now_ms = cv_clock_now_ms(), seq;
	int rc;

	/* The point of an outbox: the document is written with the change that caused it. */
	assert(store_in_transaction(conn));
	cv_buf_init(&body);
	if (!node)
		return cv_error_set(err, CV_EUNSUPPORTED, NULL,
				    "this node has no signing key: its operator runs caravan init");
	if (!kind || !exchange_kind_valid(kind))
		return cv_error_set(err, CV_EINVAL, "kind",
				    "the kind must be 1 to %d letters, digits, . _ -",
				    EXCHANGE_KIND_MAX);
	if (!json_is_object(document))
		return cv_error_set(err, CV_EINVAL, "document", "a document is a JSON object");
	if (json_object_get(document, "proof"))
		return cv_error_set(err, CV_EINVAL, "proof",
				    "the document has a proof already: the outbox signs it");
	if (!has_type(document, kind))
		return cv_error_set(err, CV_EINVAL, "kind",
				    "%s is not one of the document's types: the partner's inbox "
				    "chooses its handler by type",
				    kind);
	rc = exchange_partner_load(conn, partner_id, &partner);
	if (rc == CV_ENOTFOUND)
		return cv_error_set(err, rc, "partner", "no partner %.100s", partner_id);
	if (rc)
		return rc;
	if (!partner.active)
		return cv_error_set(err, CV_ECONFLICT, "partner",
				    "partner %s (%s) is inactive: nothing is sent to it",
				    partner.did, partner.country);
	rc = with_id(document, &copy, err);
	if (!rc)
		rc = exchange_node_sign(node, copy, now_ms, &secured, err);
	if (!rc)
		rc = exchange_jcs_serialize(secured, &body, err);
	if (rc)
		goto out;
	rc = store_query_row(conn, &stmt, "SELECT COALESCE(MAX(seq), 0) + 1 FROM exchange_outbox",
			     "");
	if (rc)
		goto out;
	seq = store_col_int64(stmt, 0);
	store_finish(stmt);
	cv_uuid7(id);
	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO exchange_outbox (id, seq, partner_id, document_id, kind, body,"
			 " next_attempt_at, created_at, updated_at)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)",
			 "tittttt", id, seq, partner.id,
			 json_string_value(json_object_get(copy, "id")), kind, cv_buf_str(&body),
			 now);
	if (rc == CV_ECONFLICT)
		rc = cv_error_set(err, rc, "id", "document %.200s was queued for %s already",
				  json_string_value(json_object_get(copy, "id")), partner.did);
	if (!rc && message_id)
		memcpy(message_id, id, CV_UUID_STR);
out:
	cv_buf_release(&body);
	json_decref(secured);
	json_decref(copy);
	return rc;
}

/* ---- delivery ------------------------------------------------------------------- */

enum attempt { ATTEMPT_FAILED, ATTEMPT_DELIVERED, ATTEMPT_ACKNOWLEDGED };

struct due {
	char id[CV_UUID_STR];
	char partner_id[CV_UUID_STR];
	char document_id[EXCHANGE_DOCUMENT_ID_MAX + 1];
	int attempts;
	char *url, *body;
	/* The outcome, recorded after the round's sending. */
	int sent;
	enum attempt result;
	char why[WHY_MAX];
};

struct response {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ctx)
{
	struct response *r = ctx;
	size_t bytes = size * n;
	char *grown;

	if (r->len + bytes > RESPONSE_MAX)
		return 0; /* an acknowledgement is small: stop reading */
	grown = cv_realloc(r->data, r->len + bytes + 1);
	if (!grown)
		return 0;
	memcpy(grown + r->len, p, bytes);
	r->data = grown;
	r->len += bytes;
	r->data[r->len] = '\0';
	return bytes;
}

/* What the partner's answer says: a receipt of this document, or why not. */
static enum attempt read_answer(const struct due *d, long status, const char *text, char *why)
{
	json_t *answer = text ? json_loads(text, 0, NULL) : NULL;
	const char *detail = json_string_value(json_object_get(answer, "detail"));
	enum attempt result = ATTEMPT_FAILED;

	if (status >= 200 && status <= 299) {
		result = json_is_true(json_object_get(answer, "acknowledged")) &&
					 json_is_string(json_object_get(answer, "id")) &&
					 !strcmp(json_string_value(json_object_get(answer, "id")),
						 d->document_id)
				 ? ATTEMPT_ACKNOWLEDGED
				 : ATTEMPT_DELIVERED;
	} else {
		snprintf(why, WHY_MAX, "the partner answered %ld%s%.300s", status,
			 detail ? ": " : "", detail ? detail : "");
	}
	json_decref(answer);
	return result;
}

/* POST one document over curl (its connections are reused across the round). */
static enum attempt post(CURL *curl, const struct due *d, int timeout_ms, char *why)
{
	struct curl_slist *headers = NULL;
	struct response r = {NULL, 0};
	enum attempt result;
	long status = 0;
	CURLcode res;

	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, d->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(d->body));
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r);
	res = curl_easy_perform(curl);
	if (res == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	if (res != CURLE_OK) {
		snprintf(why, WHY_MAX, "%s", curl_easy_strerror(res));
		result = ATTEMPT_FAILED;
	} else {
		result = read_answer(d, status, r.data, why);
	}
	cv_free(r.data);
	return result;
}

/* Fail what has waited longer than policy->fail_after. */
static int fail_old(struct store_conn *conn, const struct exchange_delivery_policy *policy,
		    int64_t now_ms, size_t *failed)
{
	char now[CV_RFC3339_MAX], cutoff[CV_RFC3339_MAX];
	int64_t changed = 0;
	int rc;

	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	cv_clock_format_rfc3339_ms(now_ms - (int64_t)policy->fail_after * 1000, cutoff,
				   sizeof(cutoff));
	rc = store_begin(conn);
	if (rc)
		return rc;
	rc = store_execf(conn, &changed,
			 "UPDATE exchange_outbox SET state = 'failed', updated_at = $1,"
			 " last_error = CASE WHEN last_error = '' THEN 'never answered'"
			 " ELSE last_error END || ' (gave up: not delivered within the time allowed)'"
			 " WHERE state = 'pending' AND created_at < $2",
			 "tt", now, cutoff);
	rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	if (!rc && changed) {
		*failed += (size_t)changed;
		cv_warn("exchange", "%lld document%s failed: not delivered within %d s",
			(long long)changed, changed == 1 ? "" : "s", policy->fail_after);
	}
	return rc;
}

/* The due documents with what each needs, read before any is sent. */
static int due_list(struct store_conn *conn, int64_t now_ms, struct due *list, size_t *n)
{
	struct store_stmt *stmt = NULL;
	char now[CV_RFC3339_MAX];
	int rc =
		store_prepare(conn,
			      "SELECT o.id, o.partner_id, o.document_id, o.attempts, o.body, p.endpoint"
			      " FROM exchange_outbox o JOIN exchange_partners p ON p.id = o.partner_id"
			      " WHERE o.state = 'pending' AND o.next_attempt_at <= $1 AND p.status = 'active'"
			      /* In order per partner: an earlier document still waiting holds this one back. */
			      " AND NOT EXISTS (SELECT 1 FROM exchange_outbox e WHERE e.partner_id = o.partner_id"
			      " AND e.state = 'pending' AND e.seq < o.seq AND e.next_attempt_at > $1)"
			      " ORDER BY o.seq LIMIT $2",
			      &stmt);

	*n = 0;
	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	if (!rc)
		rc = store_bindf(stmt, "ti", now, (int64_t)EXCHANGE_ROUND_MAX);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		struct due *d = &list[(*n)++];
		const char *endpoint = store_col_text(stmt, 5);
		size_t url_len = strlen(endpoint) + strlen(EXCHANGE_INBOX_PATH) + 1;

		rc = CV_OK;
		snprintf(d->id, sizeof(d->id), "%s", store_col_text(stmt, 0));
		snprintf(d->partner_id, sizeof(d->partner_id), "%s", store_col_text(stmt, 1));
		snprintf(d->document_id, sizeof(d->document_id), "%s", store_col_text(stmt, 2));
		d->attempts = (int)store_col_int64(stmt, 3);
		d->body = cv_strdup(store_col_text(stmt, 4));
		d->url = cv_malloc(url_len);
		if (!d->body || !d->url)
			rc = CV_ENOMEM;
		else
			snprintf(d->url, url_len, "%s%s", endpoint, EXCHANGE_INBOX_PATH);
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/* Record the round's outcomes in one transaction. */
static int record(struct store_conn *conn, const struct exchange_delivery_policy *policy,
		  struct due *list, size_t n, int64_t now_ms,
		  struct exchange_delivery_counts *counts)
{
	char now[CV_RFC3339_MAX], next[CV_RFC3339_MAX];
	int rc = store_begin(conn);

	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	for (size_t i = 0; !rc && i < n; i++) {
		struct due *d = &list[i];
		int64_t delay;

		if (!d->sent)
			continue;
		if (d->result != ATTEMPT_FAILED) {
			rc = store_execf(conn, NULL,
					 "UPDATE exchange_outbox SET state = $2, attempts = attempts + 1,"
					 " last_error = '', updated_at = $3 WHERE id = $1",
					 "ttt", d->id,
					 d->result == ATTEMPT_ACKNOWLEDGED ? "acknowledged"
									   : "delivered",
					 now);
			continue;
		}
		delay = (int64_t)1
			<< (d->attempts < BACKOFF_SHIFT_MAX ? d->attempts : BACKOFF_SHIFT_MAX);
		if (delay > policy->backoff_max)
			delay = policy->backoff_max;
		cv_clock_format_rfc3339_ms(now_ms + delay * 1000, next, sizeof(next));
		rc = store_execf(conn, NULL,
				 "UPDATE exchange_outbox SET attempts = attempts + 1, next_attempt_at = $2,"
				 " last_error = $3, updated_at = $4 WHERE id = $1",
				 "tttt", d->id, next, d->why, now);
		counts->retrying++;
		cv_warn("exchange", "document %s to partner %s: %s (attempt %d, next at %s)",
			d->document_id, d->partner_id, d->why, d->attempts + 1, next);
	}
	return rc ? (store_rollback(conn), rc) : store_commit(conn);
}

/* Send the due documents in order, holding a partner back after its first failure. */
static void send_all(CURL *curl, const struct exchange_delivery_policy *policy, struct due *list,
		     size_t n, struct exchange_delivery_counts *counts)
{
	const char *held[EXCHANGE_ROUND_MAX];
	size_t nheld = 0;

	for (size_t i = 0; i < n; i++) {
		struct due *d = &list[i];
		int skip = 0;

		for (size_t h = 0; h < nheld && !skip; h++)
			skip = !strcmp(held[h], d->partner_id);
		if (skip)
			continue;
		if (policy->stopping && policy->stopping(policy->stopping_ctx))
			break;
		d->result = post(curl, d, policy->timeout_ms, d->why);
		d->sent = 1;
		counts->attempted++;
		if (d->result == ATTEMPT_ACKNOWLEDGED)
			counts->acknowledged++;
		else if (d->result == ATTEMPT_DELIVERED)
			counts->delivered++;
		else
			held[nheld++] = d->partner_id;
	}
}

int exchange_outbox_deliver(struct store_conn *conn, const struct exchange_delivery_policy *policy,
			    struct exchange_delivery_counts *counts)
{
	struct due *list = cv_calloc(EXCHANGE_ROUND_MAX, sizeof(*list));
	int64_t now_ms = cv_clock_now_ms();
	CURL *curl = NULL;
	size_t n = 0;
	int rc;

	memset(counts, 0, sizeof(*counts));
	if (!list)
		return CV_ENOMEM;
	rc = fail_old(conn, policy, now_ms, &counts->failed);
	if (!rc)
		rc = due_list(conn, now_ms, list, &n);
	counts->full = n == EXCHANGE_ROUND_MAX;
	if (!rc && n) {
		curl = curl_easy_init();
		if (!curl) {
			rc = CV_ENOMEM;
		} else {
			send_all(curl, policy, list, n, counts);
			curl_easy_cleanup(curl);
			rc = record(conn, policy, list, n, cv_clock_now_ms(), counts);
		}
	}
	for (size_t i = 0; i < n; i++) {
		cv_free(list[i].url);
		cv_free(list[i].body);
	}
	cv_free(list);
	return rc;
}
