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
 * In order per partner: a round reads a partner's pending documents by
 * seq and stops at the first that waits for its next attempt (the later
 * ones wait behind it); after a failed attempt in a round the partner's
 * later documents wait for the next round. A batch is sent "ordered", so
 * that a partner that refuses one of its documents leaves the later ones
 * unsettled: they are not attempted, exactly as if they had been sent one
 * at a time and held back. Only one POST per partner is in flight, so its
 * inbox settles them in the order sent. No statement stays open while the
 * network is used.
 *
 * The round reads each partner's documents through the index on
 * (partner_id, state, seq), so it reads no more rows than it sends: an
 * earlier query that looked, for each due document, for an earlier one
 * still waiting read ~n²/2 rows with n pending — minutes a round for the
 * 20,000 of an initial load.
 */
#include "exchange/outbox.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "exchange/jcs.h"
#include "exchange/tls_client.h"

#include <assert.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define URN_UUID "urn:uuid:"
#define RESPONSE_MAX (64 * 1024)
/* What a batch's answer may add per document: a receipt or a refusal's problem document. */
#define RECEIPT_MAX (4 * 1024)
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

	/* Only a top-level member is added: the members themselves are shared. */
	*out = json_copy((json_t *)document);
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
	char document_id[EXCHANGE_DOCUMENT_ID_MAX + 1];
	int attempts;
	char *body;
	size_t len;
	/* The outcome, recorded after the round's sending. */
	int sent;
	enum attempt result;
	char why[WHY_MAX];
};

/* A partner with documents to send this round. */
struct destination {
	char id[CV_UUID_STR];
	char *url;
	struct due *list;
	size_t n;
};

/*
 * POST len bytes of body to url over curl (its connections are reused
 * across the round). CV_OK with *status and r filled when the partner
 * answered; otherwise why says what went wrong.
 */
static int post(CURL *curl, const char *url, const char *body, size_t len, int timeout_ms,
		long *status, struct exchange_http_body *r, char *why)
{
	struct curl_slist *headers = NULL;
	CURLcode res;

	*status = 0;
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms : CONNECT_TIMEOUT_MS));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, exchange_http_body_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	res = curl_easy_perform(curl);
	if (res == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(headers);
	if (res != CURLE_OK) {
		snprintf(why, WHY_MAX, "%s", curl_easy_strerror(res));
		return CV_EIO;
	}
	return CV_OK;
}

/* Why a refusal (status, a problem document or NULL) failed the attempt. */
static void refusal_why(long status, const json_t *problem, char *why)
{
	const char *detail = json_string_value(json_object_get(problem, "detail"));

	snprintf(why, WHY_MAX, "the partner answered %ld%s%.300s", status, detail ? ": " : "",
		 detail ? detail : "");
}

/* What the partner's answer says: a receipt of this document, or why not. */
static enum attempt read_answer(const struct due *d, long status, const char *text, char *why)
{
	json_t *answer = text ? json_loads(text, 0, NULL) : NULL;
	enum attempt result = ATTEMPT_FAILED;

	if (status >= 200 && status <= 299) {
		result = json_is_true(json_object_get(answer, "acknowledged")) &&
					 json_is_string(json_object_get(answer, "id")) &&
					 !strcmp(json_string_value(json_object_get(answer, "id")),
						 d->document_id)
				 ? ATTEMPT_ACKNOWLEDGED
				 : ATTEMPT_DELIVERED;
	} else {
		refusal_why(status, answer, why);
	}
	json_decref(answer);
	return result;
}

/* POST one document. */
static enum attempt send_one(CURL *curl, const char *url, const struct due *d, int timeout_ms,
			     char *why)
{
	struct exchange_http_body r = {NULL, 0, RESPONSE_MAX};
	enum attempt result = ATTEMPT_FAILED;
	long status;

	if (!post(curl, url, d->body, d->len, timeout_ms, &status, &r, why))
		result = read_answer(d, status, r.data, why);
	cv_free(r.data);
	return result;
}

/*
 * One document's receipt in a batch's answer, read as the answer to that
 * document alone: *skipped when the partner left it unsettled (after a
 * refusal in the ordered batch).
 */
static enum attempt read_receipt(const struct due *d, const json_t *receipt, int *skipped, char *why)
{
	const json_t *id = json_object_get(receipt, "id"),
		     *problem = json_object_get(receipt, "problem");

	*skipped = 0;
	if (json_is_true(json_object_get(receipt, "acknowledged")))
		return json_is_string(id) && !strcmp(json_string_value(id), d->document_id)
			       ? ATTEMPT_ACKNOWLEDGED
			       : ATTEMPT_DELIVERED;
	if (json_is_true(json_object_get(receipt, "skipped"))) {
		*skipped = 1;
		return ATTEMPT_FAILED;
	}
	if (json_is_object(problem)) {
		refusal_why((long)json_integer_value(json_object_get(problem, "status")), problem,
			    why);
		return ATTEMPT_FAILED;
	}
	snprintf(why, WHY_MAX, "the partner's receipt for it neither acknowledges nor refuses it");
	return ATTEMPT_FAILED;
}

enum batch_answer { BATCH_ANSWERED, BATCH_FAILED, BATCH_NOT_TAKEN };

/* The documents of list, n of them, as one ordered batch. */
static int batch_body(const struct due *list, size_t n, struct cv_buf *out)
{
	int rc = cv_buf_adds(out, "{\"ordered\":true,\"documents\":[");

	for (size_t i = 0; !rc && i < n; i++) {
		if (i)
			rc = cv_buf_addch(out, ',');
		if (!rc)
			rc = cv_buf_add(out, list[i].body, list[i].len);
	}
	return rc ? rc : cv_buf_adds(out, "]}");
}

/*
 * POST n documents as one batch and read a receipt for each into its
 * due: BATCH_ANSWERED (each has its outcome; those the partner skipped
 * are not sent), BATCH_FAILED (no answer or a 5xx: the first document's
 * attempt failed, with the reason), BATCH_NOT_TAKEN (a 4xx, or no receipt
 * per document: a partner that does not take batches; nothing is sent).
 */
static enum batch_answer send_batch(CURL *curl, const char *url, struct due *list, size_t n,
				    int timeout_ms)
{
	struct exchange_http_body r = {NULL, 0, RESPONSE_MAX + n * RECEIPT_MAX};
	enum batch_answer answer = BATCH_NOT_TAKEN;
	const json_t *receipts;
	json_t *parsed = NULL;
	struct cv_buf body;
	long status = 0;

	cv_buf_init(&body);
	if (batch_body(list, n, &body)) {
		snprintf(list[0].why, WHY_MAX, "out of memory");
		answer = BATCH_FAILED;
	} else if (post(curl, url, cv_buf_str(&body), body.len, timeout_ms, &status, &r,
			list[0].why)) {
		answer = BATCH_FAILED;
	} else if (status >= 500 || status < 200) {
		parsed = r.data ? json_loads(r.data, 0, NULL) : NULL;
		refusal_why(status, parsed, list[0].why);
		answer = BATCH_FAILED;
	} else if (status <= 299) {
		parsed = r.data ? json_loads(r.data, 0, NULL) : NULL;
		receipts = json_object_get(parsed, "receipts");
		if (json_is_array(receipts) && json_array_size(receipts) == n)
			answer = BATCH_ANSWERED;
	}
	if (answer == BATCH_FAILED)
		list[0].sent = 1, list[0].result = ATTEMPT_FAILED;
	for (size_t i = 0; answer == BATCH_ANSWERED && i < n; i++) {
		int skipped;

		list[i].result = read_receipt(&list[i], json_array_get(receipts, i), &skipped,
					      list[i].why);
		list[i].sent = !skipped;
	}
	json_decref(parsed);
	cv_buf_release(&body);
	cv_free(r.data);
	return answer;
}

/* Does the memory say partner_id takes no batches now? */
static int takes_no_batch(const struct exchange_delivery_memory *memory, const char *partner_id,
			  int64_t now_ms)
{
	for (size_t i = 0; memory && i < EXCHANGE_MEMORY_PARTNERS; i++)
		if (!strcmp(memory->single[i].partner_id, partner_id))
			return memory->single[i].until_ms > now_ms;
	return 0;
}

/* Remember that partner_id took no batch: in its entry, else a free or the oldest one. */
static void remember_no_batch(struct exchange_delivery_memory *memory, const char *partner_id,
			      int64_t now_ms)
{
	size_t slot = 0;

	if (!memory)
		return;
	for (size_t i = 0; i < EXCHANGE_MEMORY_PARTNERS; i++) {
		if (!strcmp(memory->single[i].partner_id, partner_id)) {
			slot = i;
			break;
		}
		if (memory->single[i].until_ms < memory->single[slot].until_ms)
			slot = i;
	}
	snprintf(memory->single[slot].partner_id, sizeof(memory->single[slot].partner_id), "%s",
		 partner_id);
	memory->single[slot].until_ms = now_ms + (int64_t)EXCHANGE_BATCH_RETRY_S * 1000;
}

/* How many of the n documents of list go in the next POST: at least one. */
static size_t batch_size(const struct due *list, size_t n, size_t max)
{
	size_t k = 1, bytes = list[0].len;

	while (k < n && k < max && bytes + list[k].len + 1 <= EXCHANGE_BATCH_BYTES_MAX)
		bytes += list[k++].len + 1;
	return k;
}

static void tally(const struct due *d, struct exchange_delivery_counts *counts)
{
	if (!d->sent)
		return;
	counts->attempted++;
	if (d->result == ATTEMPT_ACKNOWLEDGED)
		counts->acknowledged++;
	else if (d->result == ATTEMPT_DELIVERED)
		counts->delivered++;
}

/*
 * Send a partner's due documents in order, in batches when it takes them,
 * until the first failed attempt: the documents after it wait.
 */
static void send_all(CURL *curl, const struct exchange_delivery_policy *policy,
		     struct destination *to, struct exchange_delivery_counts *counts)
{
	size_t max = policy->batch_max > 0 ? (size_t)policy->batch_max : EXCHANGE_BATCH_MAX;
	int batches = max > 1 && !takes_no_batch(policy->memory, to->id, cv_clock_now_ms());
	size_t i = 0;

	while (i < to->n) {
		size_t k = batches ? batch_size(to->list + i, to->n - i, max) : 1;
		int failed = 0;

		if (policy->stopping && policy->stopping(policy->stopping_ctx))
			break;
		counts->posts++;
		if (k == 1) {
			to->list[i].result = send_one(curl, to->url, &to->list[i],
						      policy->timeout_ms, to->list[i].why);
			to->list[i].sent = 1;
		} else if (send_batch(curl, to->url, to->list + i, k, policy->timeout_ms) ==
			   BATCH_NOT_TAKEN) {
			cv_info("exchange",
				"partner %s does not take batches: one document per POST for %d s",
				to->id, EXCHANGE_BATCH_RETRY_S);
			remember_no_batch(policy->memory, to->id, cv_clock_now_ms());
			batches = 0;
			continue;
		}
		for (size_t j = i; j < i + k; j++) {
			tally(&to->list[j], counts);
			failed |= !to->list[j].sent || to->list[j].result == ATTEMPT_FAILED;
		}
		if (failed)
			break;
		i += k;
	}
}

/* Fail what has waited longer than policy->fail_after. */
static int fail_old(struct store_conn *conn, const struct exchange_delivery_policy *policy,
		    int64_t now_ms, size_t *failed)
{
	char now[CV_RFC3339_MAX], cutoff[CV_RFC3339_MAX];
	struct store_stmt *stmt = NULL;
	int64_t changed = 0;
	int rc;

	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	cv_clock_format_rfc3339_ms(now_ms - (int64_t)policy->fail_after * 1000, cutoff,
				   sizeof(cutoff));
	/*
	 * Look before taking the writer: a round runs every exchange_poll_ms,
	 * and a write transaction each time would queue behind (and hold up)
	 * the node's other writers for nothing.
	 */
	rc = store_query_row(conn, &stmt,
			     "SELECT 1 FROM exchange_outbox WHERE state = 'pending' AND created_at < $1"
			     " LIMIT 1",
			     "t", cutoff);
	store_finish(stmt);
	if (rc == CV_ENOTFOUND)
		return CV_OK;
	if (rc)
		return rc;
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

/* The active partners, each with its inbox's URL. */
static int destinations(struct store_conn *conn, struct destination **out, size_t *n)
{
	struct store_stmt *stmt = NULL;
	struct destination *list = NULL, *grown;
	size_t cap = 0;
	int rc = store_prepare(conn,
			       "SELECT id, endpoint FROM exchange_partners WHERE status = 'active'"
			       " ORDER BY id",
			       &stmt);

	*n = 0;
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		const char *endpoint = store_col_text(stmt, 1);
		size_t url_len = strlen(endpoint) + strlen(EXCHANGE_INBOX_PATH) + 1;
		struct destination *d;

		rc = CV_OK;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			if (!(grown = cv_realloc(list, cap * sizeof(*list)))) {
				rc = CV_ENOMEM;
				break;
			}
			list = grown;
		}
		d = &list[(*n)++];
		memset(d, 0, sizeof(*d));
		snprintf(d->id, sizeof(d->id), "%s", store_col_text(stmt, 0));
		if (!(d->url = cv_malloc(url_len)))
			rc = CV_ENOMEM;
		else
			snprintf(d->url, url_len, "%s%s", endpoint, EXCHANGE_INBOX_PATH);
	}
	store_finish(stmt);
	*out = list;
	return rc < 0 ? rc : CV_OK;
}

/*
 * The partner's due documents, in order, read before any is sent: its
 * pending ones by seq, up to the first that waits for its next attempt (it
 * holds the later ones back) or EXCHANGE_ROUND_MAX. The partner index
 * gives them in order, so a round reads no more rows than it sends.
 */
static int due_list(struct store_conn *conn, struct destination *to, int64_t now_ms)
{
	struct store_stmt *stmt = NULL;
	char now[CV_RFC3339_MAX];
	int rc = store_prepare(conn,
			       "SELECT id, document_id, attempts, body, next_attempt_at"
			       " FROM exchange_outbox WHERE partner_id = $1 AND state = 'pending'"
			       " ORDER BY seq LIMIT $2",
			       &stmt);

	to->n = 0;
	to->list = cv_calloc(EXCHANGE_ROUND_MAX, sizeof(*to->list));
	if (!to->list)
		rc = rc ? rc : CV_ENOMEM;
	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	if (!rc)
		rc = store_bindf(stmt, "ti", to->id, (int64_t)EXCHANGE_ROUND_MAX);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		struct due *d = &to->list[to->n];
		const char *body = store_col_text(stmt, 3);

		rc = CV_OK;
		/* RFC 3339 in one format: the text order is the time order. */
		if (strcmp(store_col_text(stmt, 4), now) > 0)
			break;
		to->n++;
		snprintf(d->id, sizeof(d->id), "%s", store_col_text(stmt, 0));
		snprintf(d->document_id, sizeof(d->document_id), "%s", store_col_text(stmt, 1));
		d->attempts = (int)store_col_int64(stmt, 2);
		d->len = strlen(body);
		if (!(d->body = cv_strndup(body, d->len)))
			rc = CV_ENOMEM;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/* Record a partner's outcomes in one transaction. */
static int record(struct store_conn *conn, const struct exchange_delivery_policy *policy,
		  const struct destination *to, int64_t now_ms,
		  struct exchange_delivery_counts *counts)
{
	char now[CV_RFC3339_MAX], next[CV_RFC3339_MAX];
	int rc = store_begin(conn);

	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	for (size_t i = 0; !rc && i < to->n; i++) {
		struct due *d = &to->list[i];
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
			d->document_id, to->id, d->why, d->attempts + 1, next);
	}
	return rc ? (store_rollback(conn), rc) : store_commit(conn);
}

static void destination_release(struct destination *to)
{
	for (size_t i = 0; to->list && i < to->n; i++)
		cv_free(to->list[i].body);
	cv_free(to->list);
	cv_free(to->url);
	to->url = NULL;
	to->list = NULL;
	to->n = 0;
}

int exchange_outbox_deliver(struct store_conn *conn, const struct exchange_delivery_policy *policy,
			    struct exchange_delivery_counts *counts)
{
	struct destination *to = NULL;
	CURL *curl = NULL;
	size_t n = 0;
	int rc;

	memset(counts, 0, sizeof(*counts));
	rc = fail_old(conn, policy, cv_clock_now_ms(), &counts->failed);
	if (!rc)
		rc = destinations(conn, &to, &n);
	for (size_t p = 0; !rc && p < n; p++) {
		rc = due_list(conn, &to[p], cv_clock_now_ms());
		if (rc || !to[p].n)
			continue;
		counts->full |= to[p].n == EXCHANGE_ROUND_MAX;
		if (!curl && !(curl = curl_easy_init())) {
			rc = CV_ENOMEM;
			break;
		}
		exchange_tls_client_apply(curl, policy->tls);
		send_all(curl, policy, &to[p], counts);
		rc = record(conn, policy, &to[p], cv_clock_now_ms(), counts);
		destination_release(&to[p]);
	}
	if (curl)
		curl_easy_cleanup(curl);
	for (size_t p = 0; p < n; p++)
		destination_release(&to[p]);
	cv_free(to);
	return rc;
}
