/* webhooks.c — see webhooks.h. */
#include "trade/webhooks.h"

#include "base/clock.h"
#include "base/log.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_BYTES 32
#define ROUND_MAX 100
#define TIMEOUT_MS 10000

int trade_webhook_signature(const char *secret_hex, const char *timestamp, const char *body,
			    char out[80])
{
	unsigned char key[SECRET_BYTES], mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	size_t len = 0;

	if (sodium_hex2bin(key, sizeof(key), secret_hex, strlen(secret_hex), NULL, &len, NULL) ||
	    len != SECRET_BYTES)
		return CV_EINVAL;
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(key, sizeof(key));
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	snprintf(out, 80, "sha256=%s", hex);
	return CV_OK;
}

static int trader(const struct auth_principal *who, struct cv_error *err)
{
	return who->user.role == ROLE_TRADER && *who->user.operator_id
		       ? CV_OK
		       : cv_error_set(err, CV_EPERM, NULL, "webhooks belong to traders");
}

int trade_webhook_set(struct store_conn *conn, const struct auth_principal *who, const char *url,
		      json_t **out, struct cv_error *err)
{
	unsigned char key[SECRET_BYTES];
	char secret[2 * SECRET_BYTES + 1], now[CV_RFC3339_MAX];
	int rc = trader(who, err);

	*out = NULL;
	if (rc)
		return rc;
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) ||
	    strlen(url) > 500 || strchr(url, ' '))
		return cv_error_set(err, CV_EINVAL, "url",
				    "url must be an http:// or https:// address of at most 500 characters");
	randombytes_buf(key, sizeof(key));
	sodium_bin2hex(secret, sizeof(secret), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = store_execf(conn, NULL,
			 "INSERT INTO webhooks (operator_id, url, secret, created_by, created_at)"
			 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (operator_id) DO UPDATE SET"
			 " url = excluded.url, secret = excluded.secret, created_by = excluded.created_by,"
			 " created_at = excluded.created_at",
			 "ttttt", who->user.operator_id, url, secret, who->user.username, now);
	if (!rc)
		*out = json_pack("{s:s, s:s, s:s}", "url", url, "secret", secret, "created_at", now);
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

int trade_webhook_get(struct store_conn *conn, const struct auth_principal *who, json_t **out)
{
	struct store_stmt *stmt;
	int rc;

	*out = NULL;
	if (who->user.role != ROLE_TRADER)
		return CV_EPERM;
	rc = store_query_row(conn, &stmt,
			     "SELECT w.url, w.created_at,"
			     " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.operator_id = w.operator_id"
			     "  AND d.delivered_at IS NULL),"
			     " (SELECT MAX(last_error) FROM webhook_deliveries d WHERE d.operator_id = w.operator_id"
			     "  AND d.delivered_at IS NULL AND d.attempts > 0)"
			     " FROM webhooks w WHERE w.operator_id = $1",
			     "t", who->user.operator_id);
	if (rc)
		return rc;
	*out = json_pack("{s:s, s:s, s:I, s:s?}", "url", store_col_text(stmt, 0), "created_at",
			 store_col_text(stmt, 1), "pending", (json_int_t)store_col_int64(stmt, 2),
			 "last_error", store_col_text(stmt, 3));
	store_finish(stmt);
	return *out ? CV_OK : CV_ENOMEM;
}

int trade_webhook_delete(struct store_conn *conn, const struct auth_principal *who)
{
	int64_t changed = 0;
	int rc;

	if (who->user.role != ROLE_TRADER)
		return CV_EPERM;
	rc = store_execf(conn, NULL,
			 "DELETE FROM webhook_deliveries WHERE operator_id = $1 AND delivered_at IS NULL",
			 "t", who->user.operator_id);
	if (!rc)
		rc = store_execf(conn, &changed, "DELETE FROM webhooks WHERE operator_id = $1", "t",
				 who->user.operator_id);
	return rc ? rc : changed ? CV_OK : CV_ENOTFOUND;
}

/* ---- delivery ------------------------------------------------------------------- */

struct due {
	int64_t seq;
	char operator_id[64];
	int attempts;
	char *url, *secret, *body;
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* POST one event; 0 on a 2xx, else the error in why. */
static int post(const struct due *d, char *why, size_t why_size)
{
	char timestamp[CV_RFC3339_MAX], signature[80], h_sig[128], h_id[64], h_ts[64];
	struct curl_slist *headers = NULL;
	long status = 0;
	CURLcode res;
	CURL *curl;

	cv_clock_format_rfc3339(cv_clock_now_ms(), timestamp, sizeof(timestamp));
	if (trade_webhook_signature(d->secret, timestamp, d->body, signature)) {
		snprintf(why, why_size, "the stored secret is damaged");
		return -1;
	}
	snprintf(h_sig, sizeof(h_sig), "X-Caravan-Signature: %s", signature);
	snprintf(h_id, sizeof(h_id), "X-Caravan-Event-Id: %lld", (long long)d->seq);
	snprintf(h_ts, sizeof(h_ts), "X-Caravan-Timestamp: %s", timestamp);
	curl = curl_easy_init();
	if (!curl) {
		snprintf(why, why_size, "cannot start an HTTP client");
		return -1;
	}
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, h_sig);
	headers = curl_slist_append(headers, h_id);
	headers = curl_slist_append(headers, h_ts);
	curl_easy_setopt(curl, CURLOPT_URL, d->url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	res = curl_easy_perform(curl);
	if (res == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (res != CURLE_OK) {
		snprintf(why, why_size, "%s", curl_easy_strerror(res));
		return -1;
	}
	if (status < 200 || status > 299) {
		snprintf(why, why_size, "the receiver answered %ld", status);
		return -1;
	}
	return 0;
}

/* The due deliveries with what each needs, read before any is sent (no statement stays open). */
static int due_list(struct store_conn *conn, const char *now, struct due *list, size_t *n)
{
	struct store_stmt *stmt;
	int rc =
		store_prepare(conn,
			      "SELECT d.seq, d.operator_id, d.attempts, w.url, w.secret, n.declaration_id,"
			      " x.number, n.status, n.detail, n.created_at"
			      " FROM webhook_deliveries d JOIN webhooks w ON w.operator_id = d.operator_id"
			      " JOIN notifications n ON n.seq = d.seq JOIN declarations x ON x.id = n.declaration_id"
			      " WHERE d.delivered_at IS NULL AND d.next_attempt_at <= $1"
			      /* In order per operator: an earlier event still waiting holds this one back. */
			      " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.operator_id = d.operator_id"
			      " AND e.delivered_at IS NULL AND e.seq < d.seq AND e.next_attempt_at > $1)"
			      " ORDER BY d.seq LIMIT $2",
			      &stmt);

	*n = 0;
	if (!rc)
		rc = store_bindf(stmt, "ti", now, (int64_t)ROUND_MAX);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		struct due *d = &list[(*n)++];
		json_t *payload = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "event_id",
					    (json_int_t)store_col_int64(stmt, 0), "declaration",
					    store_col_text(stmt, 5), "number",
					    store_col_text(stmt, 6), "status",
					    store_col_text(stmt, 7), "detail",
					    json_loads(store_col_text(stmt, 8), 0, NULL),
					    "created_at", store_col_text(stmt, 9));
		rc = CV_OK;
		d->seq = store_col_int64(stmt, 0);
		snprintf(d->operator_id, sizeof(d->operator_id), "%s", store_col_text(stmt, 1));
		d->attempts = (int)store_col_int64(stmt, 2);
		d->url = strdup(store_col_text(stmt, 3));
		d->secret = strdup(store_col_text(stmt, 4));
		d->body = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
		json_decref(payload);
		if (!d->url || !d->secret || !d->body)
			rc = CV_ENOMEM;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

int trade_webhooks_deliver(struct store_conn *conn, int backoff_max, size_t *delivered)
{
	struct due *list = calloc(ROUND_MAX, sizeof(*list));
	char now[CV_RFC3339_MAX], held[ROUND_MAX][64];
	size_t n = 0, nheld = 0;
	int rc;

	*delivered = 0;
	if (!list)
		return CV_ENOMEM;
	cv_clock_format_rfc3339(cv_clock_now_ms(), now, sizeof(now));
	rc = due_list(conn, now, list, &n);
	for (size_t i = 0; !rc && i < n; i++) {
		struct due *d = &list[i];
		char why[256] = "", next[CV_RFC3339_MAX];
		int skip = 0, ok;

		/* In order per operator: after a failure, its later events wait. */
		for (size_t h = 0; h < nheld && !skip; h++)
			skip = !strcmp(held[h], d->operator_id);
		if (skip)
			continue;
		ok = post(d, why, sizeof(why)) == 0;
		if ((rc = store_begin(conn)))
			break;
		if (ok) {
			cv_clock_format_rfc3339(cv_clock_now_ms(), next, sizeof(next));
			rc = store_execf(conn, NULL,
					 "UPDATE webhook_deliveries SET delivered_at = $2, attempts = attempts + 1,"
					 " last_error = '' WHERE seq = $1",
					 "it", d->seq, next);
			(*delivered)++;
		} else {
			int64_t delay = (int64_t)1 << (d->attempts < 20 ? d->attempts : 20);
			if (delay > backoff_max)
				delay = backoff_max;
			cv_clock_format_rfc3339(cv_clock_now_ms() + delay * 1000, next,
						sizeof(next));
			rc = store_execf(conn, NULL,
					 "UPDATE webhook_deliveries SET attempts = attempts + 1,"
					 " next_attempt_at = $2, last_error = $3 WHERE seq = $1",
					 "itt", d->seq, next, why);
			snprintf(held[nheld++], sizeof(held[0]), "%s", d->operator_id);
			cv_warn("webhooks", "event %lld to operator %s: %s (attempt %d, next at %s)",
				(long long)d->seq, d->operator_id, why, d->attempts + 1, next);
		}
		rc = rc ? (store_rollback(conn), rc) : store_commit(conn);
	}
	for (size_t i = 0; i < n; i++) {
		free(list[i].url);
		if (list[i].secret)
			sodium_memzero(list[i].secret, strlen(list[i].secret));
		free(list[i].secret);
		free(list[i].body);
	}
	free(list);
	return rc;
}
