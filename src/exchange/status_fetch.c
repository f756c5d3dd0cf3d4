/*
 * status_fetch.c — the partners' status lists, fetched for the
 * certificates they sent (see exchange_status_lists_refresh in
 * certificates.h).
 *
 * A status list is public, but a node fetches one only from the partner's
 * registered endpoint: the path of the list's URL on that endpoint. A
 * partner's document cannot make the node call an arbitrary host, and a
 * partner serving its public pages and its node at different addresses is
 * still reached where the registry says. What comes back must be the
 * list asked for (its id the URL), signed by the partner's registered key
 * and issued by its DID; only then does it replace the copy kept.
 */
#include "exchange/certificates.h"

#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "exchange/documents.h"
#include "exchange/partners.h"
#include "exchange/tls_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lists one round fetches at most: a node watches a handful per partner. */
#define FETCH_ROUND_MAX 32
/* A fetch that failed is tried again this soon (or at the refresh, if sooner). */
#define RETRY_S 10
/* A status list of 131,072 bits is ~16 KB compressed in a credential of ~20 KB. */
#define LIST_BODY_MAX (1024 * 1024)
#define WHY_MAX 300

struct due_list {
	char url[EXCHANGE_URL_MAX + 1]; /* as long as a document may name it */
	char partner_id[CV_UUID_STR];
	int64_t newest_ms; /* validFrom of the list kept, 0: none */
};

/*
 * The lists not fetched within refresh_s seconds, and those whose last
 * fetch failed more than RETRY_S seconds ago; oldest attempt first.
 */
static int due_lists(struct store_conn *conn, int64_t now_ms, int refresh_s, struct due_list *list,
		     size_t *n)
{
	char before[CV_RFC3339_MAX], retry[CV_RFC3339_MAX];
	struct store_stmt *stmt;
	int rc;

	*n = 0;
	cv_clock_format_rfc3339_ms(now_ms - (int64_t)refresh_s * 1000, before, sizeof(before));
	cv_clock_format_rfc3339_ms(now_ms - (int64_t)(refresh_s < RETRY_S ? refresh_s : RETRY_S) *
						    1000,
				   retry, sizeof(retry));
	rc = store_prepare(conn,
			   "SELECT l.url, l.partner_id, l.credential FROM partner_status_lists l"
			   " JOIN exchange_partners p ON p.id = l.partner_id AND p.status = 'active'"
			   " WHERE l.attempted_at IS NULL OR l.attempted_at < $1"
			   " OR (l.error <> '' AND l.attempted_at < $2)"
			   " ORDER BY l.attempted_at IS NOT NULL, l.attempted_at LIMIT $3",
			   &stmt);
	if (!rc)
		rc = store_bindf(stmt, "tti", before, retry, (int64_t)FETCH_ROUND_MAX);
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		json_t *kept = store_col_is_null(stmt, 2)
				       ? NULL
				       : json_loads(store_col_text(stmt, 2), 0, NULL);
		const char *from = json_string_value(json_object_get(kept, "validFrom"));

		rc = CV_OK;
		snprintf(list[*n].url, sizeof(list[*n].url), "%s", store_col_text(stmt, 0));
		snprintf(list[*n].partner_id, sizeof(list[*n].partner_id), "%s",
			 store_col_text(stmt, 1));
		list[*n].newest_ms = 0;
		if (from)
			cv_clock_parse_rfc3339(from, &list[*n].newest_ms);
		json_decref(kept);
		(*n)++;
	}
	store_finish(stmt);
	return rc < 0 ? rc : CV_OK;
}

/* Where to fetch url from: its path on the partner's endpoint. 0 when url has no path. */
static int fetch_url(const struct exchange_partner *partner, const char *url, char *out, size_t size)
{
	const char *scheme = strstr(url, "://"), *path = scheme ? strchr(scheme + 3, '/') : NULL;
	size_t base = strlen(partner->endpoint);

	if (!path)
		return 0;
	while (base && partner->endpoint[base - 1] == '/')
		base--;
	return snprintf(out, size, "%.*s%s", (int)base, partner->endpoint, path) < (int)size;
}

static int get(CURL *curl, const char *url, int timeout_ms, struct exchange_http_body *b, char *why)
{
	long status = 0;
	CURLcode res;

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, exchange_http_body_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
	res = curl_easy_perform(curl);
	if (res != CURLE_OK) {
		snprintf(why, WHY_MAX, "%.150s: %.140s", url, curl_easy_strerror(res));
		return CV_EIO;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		snprintf(why, WHY_MAX, "%.150s answered %ld", url, status);
		return CV_EIO;
	}
	return CV_OK;
}

/* Does the credential's type list name type? */
static int has_type(const json_t *credential, const char *type)
{
	const json_t *types = json_object_get(credential, "type"), *t;
	size_t i;

	json_array_foreach(types, i, t) {
		if (json_is_string(t) && !strcmp(json_string_value(t), type))
			return 1;
	}
	return 0;
}

/*
 * Is list the partner's signed status list credential with id url, no
 * older than the one kept (validFrom newest_ms)? An older list, replayed by
 * someone on the way, must not undo a revocation the node has seen.
 */
static int verify(struct store_conn *conn, const struct exchange_partner *partner,
		  const json_t *list, const char *url, int64_t newest_ms, char *why)
{
	const char *from = json_string_value(json_object_get(list, "validFrom"));
	int64_t from_ms = 0;
	const json_t *issuer = json_object_get(list, "issuer");
	const char *issuer_id = json_is_object(issuer)
					? json_string_value(json_object_get(issuer, "id"))
					: json_string_value(issuer);
	const char *id = json_string_value(json_object_get(list, "id"));
	struct cv_error err;
	int rc;

	if (!json_is_object(list)) {
		snprintf(why, WHY_MAX, "the answer is not a JSON object");
		return CV_EINVAL;
	}
	if (!id || strcmp(id, url)) {
		snprintf(why, WHY_MAX, "the list's id is %.100s, not the URL asked for",
			 id ? id : "missing");
		return CV_EINVAL;
	}
	if (!has_type(list, "BitstringStatusListCredential")) {
		snprintf(why, WHY_MAX, "the answer is not a BitstringStatusListCredential");
		return CV_EINVAL;
	}
	if (!from || cv_clock_parse_rfc3339(from, &from_ms) || from_ms < newest_ms) {
		snprintf(why, WHY_MAX, "the list's validFrom is %s",
			 from ? "older than the one kept (or not RFC 3339)"
			      : "missing: it cannot be told newer than the one kept");
		return CV_EINVAL;
	}
	if (!issuer_id || strcmp(issuer_id, partner->did)) {
		snprintf(why, WHY_MAX, "the list is issued by %.100s, not by %.150s",
			 issuer_id ? issuer_id : "nobody", partner->did);
		return CV_EINVAL;
	}
	cv_error_clear(&err);
	rc = exchange_partner_verify(conn, partner, list, &err);
	if (rc)
		snprintf(why, WHY_MAX, "the list's proof does not hold: %.250s", err.message);
	return rc;
}

/* Fetch and check one list; *list the credential, or why it is not one. */
static int fetch(CURL *curl, struct store_conn *conn, const struct due_list *d, int timeout_ms,
		 json_t **list, char *why)
{
	struct exchange_partner partner;
	char url[EXCHANGE_ENDPOINT_MAX * 2 + 2];
	struct exchange_http_body b = {NULL, 0, LIST_BODY_MAX};
	int rc = exchange_partner_load(conn, d->partner_id, &partner);

	*list = NULL;
	if (rc) {
		snprintf(why, WHY_MAX, "the partner is not registered");
		return rc;
	}
	if (!fetch_url(&partner, d->url, url, sizeof(url))) {
		snprintf(why, WHY_MAX, "%.200s is not a URL with a path", d->url);
		return CV_EINVAL;
	}
	rc = get(curl, url, timeout_ms, &b, why);
	if (!rc) {
		*list = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
		rc = *list ? verify(conn, &partner, *list, d->url, d->newest_ms, why) : CV_EINVAL;
		if (!*list)
			snprintf(why, WHY_MAX, "%.150s did not answer JSON", url);
	}
	cv_free(b.data);
	if (rc) {
		json_decref(*list);
		*list = NULL;
	}
	return rc;
}

static int keep(struct store_conn *conn, const struct due_list *d, const json_t *list,
		const char *why, int64_t now_ms)
{
	char now[CV_RFC3339_MAX], *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
	int64_t changed = 0;
	int rc;

	cv_clock_format_rfc3339_ms(now_ms, now, sizeof(now));
	rc = store_begin(conn);
	if (!rc)
		rc = list ? store_execf(conn, &changed,
					"UPDATE partner_status_lists SET credential = $3,"
					" fetched_at = $4, attempted_at = $4, error = ''"
					" WHERE partner_id = $1 AND url = $2",
					"tttt", d->partner_id, d->url, text, now)
			  : store_execf(conn, &changed,
					"UPDATE partner_status_lists SET attempted_at = $3, error = $4"
					" WHERE partner_id = $1 AND url = $2",
					"tttt", d->partner_id, d->url, now, why);
	free(text);
	/* The row read is the row written: anything else would leave it due for ever. */
	if (!rc && changed != 1)
		rc = CV_EINTERNAL;
	return rc ? (store_rollback(conn), rc) : store_commit(conn);
}

int exchange_status_lists_refresh(struct store_conn *conn, int refresh_s, int timeout_ms,
				  const struct exchange_tls_client *tls, int (*stop)(void *),
				  void *stop_ctx, size_t *fetched)
{
	struct due_list list[FETCH_ROUND_MAX];
	size_t n;
	CURL *curl;
	int rc = due_lists(conn, cv_clock_now_ms(), refresh_s, list, &n);

	*fetched = 0;
	if (rc || !n)
		return rc;
	curl = curl_easy_init();
	if (!curl)
		return CV_ENOMEM;
	exchange_tls_client_apply(curl, tls);
	for (size_t i = 0; !rc && i < n && !(stop && stop(stop_ctx)); i++) {
		char why[WHY_MAX] = "";
		json_t *got = NULL;

		if (fetch(curl, conn, &list[i], timeout_ms, &got, why))
			cv_warn("exchange", "status list %s: %s", list[i].url, why);
		rc = keep(conn, &list[i], got, why, cv_clock_now_ms());
		if (!rc && got)
			(*fetched)++;
		json_decref(got);
	}
	curl_easy_cleanup(curl);
	return rc;
}

int exchange_status_lists_summary(struct store_conn *conn, json_t **out)
{
	struct store_stmt *stmt;
	json_t *failing = json_array();
	int64_t watched = 0, fetched = 0;
	int rc = store_prepare(conn,
			       "SELECT l.url, p.country, l.credential IS NOT NULL, l.error,"
			       " COALESCE(l.attempted_at, '') FROM partner_status_lists l"
			       " JOIN exchange_partners p ON p.id = l.partner_id"
			       " ORDER BY p.country, l.url",
			       &stmt);

	*out = NULL;
	while (!rc && (rc = store_step(stmt)) == STORE_ROW) {
		rc = CV_OK;
		watched++;
		fetched += store_col_int64(stmt, 2);
		if (*store_col_text(stmt, 3))
			json_array_append_new(failing,
					      json_pack("{s:s, s:s, s:s, s:s}", "url",
							store_col_text(stmt, 0), "country",
							store_col_text(stmt, 1), "error",
							store_col_text(stmt, 3), "attempted_at",
							store_col_text(stmt, 4)));
	}
	store_finish(stmt);
	if (rc < 0) {
		json_decref(failing);
		return rc;
	}
	*out = json_pack("{s:I, s:I, s:o}", "watched", (json_int_t)watched, "fetched",
			 (json_int_t)fetched, "failing", failing);
	return *out ? CV_OK : CV_ENOMEM;
}
