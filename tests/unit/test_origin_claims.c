/*
 * test_origin_claims.c — the importing node's side of certificates of
 * origin, on a real SQLite file: the inbox handler refusing what it must
 * (garbage, another issuer, another country's exports, no agreement, a
 * number received twice), and the decision of a claim to preference,
 * check by check: a certificate signed with the partner's key and its
 * status list, then each thing that can be wrong with them.
 */
#include "base/clock.h"
#include "base/file.h"
#include "base/ids.h"
#include "base/log.h"
#include "exchange/certificates.h"
#include "exchange/credential.h"
#include "exchange/jcs.h"
#include "exchange/partners.h"
#include "exchange/status_list.h"
#include "store/migrate.h"
#include "support/server.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KZ_DID "did:web:customs.kz.example"
#define LIST_URL                                                                                   \
	"https://customs.kz.example/api/v1/status-lists/0193a1b2-7c4d-7e5f-8a9b-0c1d2e3f4a5b"
/* 2027-01-10T00:00:00Z: the fixture certificate is in force. */
#define NOW_MS 1799539200000LL

static char dir[] = "/tmp/caravan-origin-XXXXXX";
static struct store *store;
static struct store_conn *conn;
static struct exchange_key kz_key;
static struct exchange_partner kz;

static void register_kz_at(const char *agreement, const char *endpoint)
{
	struct cv_buf multikey;
	char agreements[96], id[CV_UUID_STR];

	cv_buf_init(&multikey);
	cr_assert_eq(exchange_key_multibase(kz_key.public_key, &multikey), CV_OK);
	snprintf(agreements, sizeof(agreements), "{\"%s\": {\"since\": \"2025-06-01\"}}", agreement);
	test_store_partner(conn, "KZ", KZ_DID, endpoint, cv_buf_str(&multikey), agreements, id);
	cr_assert_eq(exchange_partner_load(conn, id, &kz), CV_OK);
	cv_buf_release(&multikey);
}

static void register_kz(const char *agreement)
{
	register_kz_at(agreement, "https://customs.kz.example");
}

static void setup(void)
{
	cr_assert(sodium_init() >= 0);
	test_store_make(dir, &store, &conn, 1);
	cr_assert_eq(exchange_key_generate(&kz_key), CV_OK);
}

static void teardown(void) { test_store_remove(store, dir); }

TestSuite(origin_claims, .init = setup, .fini = teardown, .timeout = 120);

static json_t *fixture(void)
{
	static const char path[] = "tests/fixtures/exchange/certificate-of-origin.json";
	struct cv_error err;
	char *text;
	size_t size;
	json_t *doc;

	cr_assert_eq(cv_file_read(path, 1 << 20, NULL, &text, &size, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_jcs_parse(text, size, path, &doc, &err), CV_OK, "%s", err.message);
	free(text);
	return doc;
}

static json_t *sign(const json_t *doc)
{
	struct exchange_proof_options options = {KZ_DID "#key-1", "2026-11-28T09:30:00Z", NULL};
	struct cv_error err;
	json_t *secured;

	cr_assert_eq(exchange_credential_sign(doc, &kz_key, &options, &secured, &err), CV_OK, "%s",
		     err.message);
	return secured;
}

static int receive(const json_t *doc, const struct exchange_partner *from, struct cv_error *err)
{
	struct exchange_inbox_message m = {NULL, from,   "urn:doc", "CertificateOfOriginCredential",
					   doc,  NOW_MS, "UZ"};
	char id[CV_UUID_STR];
	int rc;

	cv_uuid7(id);
	m.id = id;
	cv_error_clear(err);
	cr_assert_eq(store_begin(conn), CV_OK);
	rc = exchange_certificate_receive(conn, &m, err);
	cr_assert_eq(rc ? store_rollback(conn) : store_commit(conn), CV_OK);
	return rc;
}

/* KZ's revocation list with bit 8 set or not, signed, as the worker keeps it. */
static void keep_list(int revoked, int64_t valid_from_ms)
{
	struct exchange_status_list bits;
	struct exchange_status_list_options options = {LIST_URL, KZ_DID, "revocation",
						       NULL,     NULL,   0};
	char from[CV_RFC3339_MAX], until[CV_RFC3339_MAX];
	struct cv_error err;
	json_t *list, *secured;
	char *text;

	cv_clock_format_rfc3339(valid_from_ms, from, sizeof(from));
	cv_clock_format_rfc3339(valid_from_ms + 86400000LL, until, sizeof(until));
	options.valid_from = from;
	options.valid_until = until;
	cr_assert_eq(exchange_status_list_init(&bits, 131072), CV_OK);
	cr_assert_eq(exchange_status_list_set(&bits, 8, revoked, &err), CV_OK);
	cr_assert_eq(exchange_status_list_credential_new(&options, &bits, &list, &err), CV_OK, "%s",
		     err.message);
	secured = sign(list);
	text = json_dumps(secured, JSON_COMPACT);
	cr_assert_eq(store_execf(conn, NULL,
				 "UPDATE partner_status_lists SET credential = $2, fetched_at = $3,"
				 " attempted_at = $3 WHERE url = $1",
				 "ttt", LIST_URL, text, from),
		     CV_OK);
	free(text);
	json_decref(secured);
	json_decref(list);
	exchange_status_list_release(&bits);
}

/* The fixture's first item as an import declares it: 20,000 kg of KZ cotton. */
static struct exchange_preference_verdict decide(const char *number, const char *importer,
						 const char *arrangement, double kg, int64_t now_ms)
{
	struct trade_item item = {.hs = "5201000000", .origin = "KZ", .quantity = kg, .unit = "KGM"};
	int64_t numbers[] = {1};
	struct exchange_preference_claim claim = {NULL,        NULL,    number,
						  arrangement, "KZ",    importer,
						  &item,       numbers, 1};
	struct exchange_preference_verdict v;

	cr_assert_eq(exchange_preference_check(conn, "UZ", now_ms, &claim, &v), CV_OK);
	return v;
}

/* Is there a reason of check containing text? */
static int has(const struct exchange_preference_verdict *v, const char *check, const char *text)
{
	json_t *r;
	size_t i;

	json_array_foreach(v->reasons, i, r) {
		if (!strcmp(json_string_value(json_object_get(r, "check")), check) &&
		    strstr(json_string_value(json_object_get(r, "reason")), text))
			return 1;
	}
	return 0;
}

Test(origin_claims, the_inbox_refuses_what_it_must_and_keeps_a_certificate_once)
{
	struct exchange_partner other;
	struct cv_error err;
	json_t *doc = fixture(), *secured, *bad;
	struct store_stmt *s;

	register_kz("certificates_of_origin");
	secured = sign(doc);

	/* Garbage: a member named. */
	bad = json_deep_copy(secured);
	json_object_set_new(json_object_get(bad, "credentialSubject"), "items", json_string("many"));
	cr_assert_eq(receive(bad, &kz, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "credentialSubject.items");
	json_decref(bad);
	bad = json_pack("{s:s}", "type", "CertificateOfOriginCredential");
	cr_assert_eq(receive(bad, &kz, &err), CV_EINVAL);
	json_decref(bad);

	/* Sent by a node that is not its issuer. */
	other = kz;
	snprintf(other.did, sizeof(other.did), "did:web:customs.tj.example");
	cr_assert_eq(receive(secured, &other, &err), CV_EPERM);
	cr_assert(strstr(err.message, "not the node that sent it"), "%s", err.message);
	/* Made out for imports into UZ: a node of another country refuses it. */
	{
		struct exchange_inbox_message m = {"row",   &kz,    "urn:doc", "T",
						   secured, NOW_MS, "KG"};

		cr_assert_eq(store_begin(conn), CV_OK);
		cr_assert_eq(exchange_certificate_receive(conn, &m, &err), CV_EPERM);
		cr_assert_eq(store_rollback(conn), CV_OK);
		cr_assert_str_eq(err.field, "credentialSubject.importingCountry");
	}
	/* A country certifying another's exports. */
	other = kz;
	snprintf(other.country, sizeof(other.country), "TJ");
	cr_assert_eq(receive(secured, &other, &err), CV_EPERM);
	cr_assert(strstr(err.message, "KZ's exports"), "%s", err.message);

	cr_assert_eq(receive(secured, &kz, &err), CV_OK, "%s", err.message);
	/* The same number again, under another id: refused, the first stays. */
	bad = json_deep_copy(doc);
	json_object_set_new(bad, "id", json_string("urn:uuid:0193a1c0-2222-7333-8444-000000000000"));
	json_decref(secured);
	secured = sign(bad);
	cr_assert_eq(receive(secured, &kz, &err), CV_ECONFLICT);
	cr_assert(strstr(err.message, "received already"), "%s", err.message);
	cr_assert_eq(store_query_row(conn, &s,
				     "SELECT count(*), max(number) FROM origin_certificates"
				     " WHERE direction = 'received'",
				     ""),
		     CV_OK);
	cr_assert_eq(store_col_int64(s, 0), 1);
	cr_assert_str_eq(store_col_text(s, 1), "KZ-CO-2026-000117");
	store_finish(s);
	/* Its status list is watched, not yet fetched. */
	cr_assert_eq(store_query_row(conn, &s,
				     "SELECT count(*) FROM partner_status_lists WHERE url = $1"
				     " AND credential IS NULL",
				     "t", LIST_URL),
		     CV_OK);
	cr_assert_eq(store_col_int64(s, 0), 1);
	store_finish(s);
	json_decref(bad);
	json_decref(secured);
	json_decref(doc);
}

Test(origin_claims, without_the_agreement_nothing_is_kept)
{
	struct cv_error err;
	json_t *doc = fixture(), *secured;

	register_kz("advance_cargo");
	secured = sign(doc);
	cr_assert_eq(receive(secured, &kz, &err), CV_EPERM);
	cr_assert(strstr(err.message, "no agreement on certificates of origin"), "%s", err.message);
	json_decref(secured);
	json_decref(doc);
}

Test(origin_claims, a_claim_stands_only_when_every_check_passes)
{
	struct exchange_preference_verdict v;
	struct cv_error err;
	json_t *doc = fixture(), *secured = sign(doc);
	char *tampered;

	register_kz("certificates_of_origin");
	cr_assert_eq(receive(secured, &kz, &err), CV_OK, "%s", err.message);

	/* Before KZ's list is fetched, its status is unknown: no preference yet. */
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(v.electronic && !v.accepted);
	cr_assert(has(&v, "status", "not known yet"));
	json_decref(v.reasons);

	keep_list(0, NOW_MS - 60000);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(v.electronic);
	cr_assert(v.accepted, "%s", json_dumps(v.reasons, 0));
	json_decref(v.reasons);

	/* Each thing that can be wrong, with its reason. */
	v = decide("KZ-CO-2026-000117", "UZ999999999", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(!v.accepted && has(&v, "importer", "UZ999999999"));
	json_decref(v.reasons);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "EAEU", 20000, NOW_MS);
	cr_assert(!v.accepted && has(&v, "arrangement", "EAEU"));
	json_decref(v.reasons);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20001, NOW_MS);
	cr_assert(!v.accepted && has(&v, "items", "quantity"));
	json_decref(v.reasons);
	v = decide("KZ-CO-2026-000118", "UZ123456789", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(!v.accepted && has(&v, "received", "KZ-CO-2026-000118"));
	json_decref(v.reasons);
	/* Past its validUntil (2027-11-28): not in force (the list is current then). */
	keep_list(0, 1830000000000LL - 60000);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20000, 1830000000000LL);
	cr_assert(!v.accepted && has(&v, "validity", "not in force"), "%s",
		  json_dumps(v.reasons, 0));
	json_decref(v.reasons);
	/* A list fetched long ago is out of date, not trusted. */
	keep_list(0, NOW_MS - 3 * 86400000LL);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(!v.accepted && has(&v, "status", "out of date"), "%s", json_dumps(v.reasons, 0));
	json_decref(v.reasons);
	/* Revoked by KZ. */
	keep_list(1, NOW_MS - 60000);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(!v.accepted && has(&v, "status", "revoked"));
	json_decref(v.reasons);
	keep_list(0, NOW_MS - 60000);

	/* The stored certificate altered (20,000 kg made 90,000): its signature no longer holds. */
	tampered = json_dumps(secured, JSON_COMPACT);
	cr_assert(strstr(tampered, "\"quantity\":20000"));
	memcpy(strstr(tampered, "\"quantity\":20000") + 11, "9", 1);
	cr_assert_eq(store_execf(conn, NULL,
				 "UPDATE origin_certificates SET document = $1 WHERE direction = 'received'",
				 "t", tampered),
		     CV_OK);
	v = decide("KZ-CO-2026-000117", "UZ123456789", "CIS-FTA-2011", 20000, NOW_MS);
	cr_assert(!v.accepted && has(&v, "signature", "does not verify"), "%s",
		  json_dumps(v.reasons, 0));
	json_decref(v.reasons);
	free(tampered);

	/* Goods from a country whose node sends no certificates: the paper one stands. */
	{
		struct trade_item item = {.hs = "5201000000",
					  .origin = "KG",
					  .quantity = 1,
					  .unit = "KGM"};
		int64_t numbers[] = {1};
		struct exchange_preference_claim claim = {NULL,           NULL,    "KG-CT1-1",
							  "CIS-FTA-2011", "KG",    "UZ1",
							  &item,          numbers, 1};
		cr_assert_eq(exchange_preference_check(conn, "UZ", NOW_MS, &claim, &v), CV_OK);
		cr_assert(!v.electronic && v.accepted);
		json_decref(v.reasons);
	}
	json_decref(secured);
	json_decref(doc);
}

/* ---- fetching KZ's status list ------------------------------------------------------------ */

/* What the fake KZ node answers at the list's path (the rest is 404). */
static const char *served;
static char asked[256];

static enum MHD_Result serve_list(void *ctx, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	int found = served && !strcmp(url, strstr(LIST_URL, "/api/"));

	(void)ctx, (void)method, (void)version, (void)data, (void)size, (void)state;
	snprintf(asked, sizeof(asked), "%s", url);
	r = MHD_create_response_from_buffer(found ? strlen(served) : 9,
					    (void *)(found ? served : "not found"),
					    MHD_RESPMEM_MUST_COPY);
	ok = MHD_queue_response(c, found ? 200 : 404, r);
	MHD_destroy_response(r);
	return ok;
}

/* One fetching round, from scratch; the row's credential (NULL: none kept) and error. */
static int fetch_round(char *error, size_t size)
{
	struct store_stmt *s;
	size_t fetched = 0;
	int kept;

	cr_assert_eq(store_execf(conn, NULL,
				 "UPDATE partner_status_lists SET attempted_at = NULL,"
				 " credential = NULL, error = ''",
				 ""),
		     CV_OK);
	cr_assert_eq(exchange_status_lists_refresh(conn, 300, 5000, NULL, NULL, NULL, &fetched),
		     CV_OK);
	cr_assert_eq(store_query_row(conn, &s,
				     "SELECT credential IS NOT NULL, error, attempted_at IS NOT NULL"
				     " FROM partner_status_lists WHERE url = $1",
				     "t", LIST_URL),
		     CV_OK);
	kept = (int)store_col_int64(s, 0);
	snprintf(error, size, "%s", store_col_text(s, 1));
	cr_assert(store_col_int64(s, 2), "every attempt is recorded");
	store_finish(s);
	cr_assert_eq((size_t)kept, fetched);
	return kept;
}

/* A status list credential with id and issuer, signed by key. */
static char *list_text(const char *id, const char *issuer, const struct exchange_key *key)
{
	struct exchange_status_list bits;
	struct exchange_status_list_options options = {id, issuer, "revocation", NULL, NULL, 0};
	struct exchange_proof_options proof = {KZ_DID "#key-1", NULL, NULL};
	char from[CV_RFC3339_MAX], *text;
	struct cv_error err;
	json_t *list, *secured;

	cv_clock_format_rfc3339(cv_clock_now_ms(), from, sizeof(from));
	options.valid_from = from;
	cr_assert_eq(exchange_status_list_init(&bits, 131072), CV_OK);
	cr_assert_eq(exchange_status_list_credential_new(&options, &bits, &list, &err), CV_OK);
	cr_assert_eq(exchange_credential_sign(list, key, &proof, &secured, &err), CV_OK);
	text = json_dumps(secured, JSON_COMPACT);
	json_decref(secured);
	json_decref(list);
	exchange_status_list_release(&bits);
	return text;
}

Test(origin_claims,
     a_status_list_is_fetched_from_the_partners_endpoint_and_kept_only_when_it_is_the_partners)
{
	struct exchange_key stranger;
	struct MHD_Daemon *d;
	struct cv_error err;
	json_t *doc = fixture(), *secured;
	char endpoint[64], error[320];
	char *good, *wrong_id, *wrong_issuer, *forged;
	int port = test_free_port();

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", port);
	register_kz_at("certificates_of_origin", endpoint);
	secured = sign(doc);
	cr_assert_eq(receive(secured, &kz, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_key_generate(&stranger), CV_OK);
	good = list_text(LIST_URL, KZ_DID, &kz_key);
	wrong_id = list_text(LIST_URL "-other", KZ_DID, &kz_key);
	wrong_issuer = list_text(LIST_URL, "did:web:customs.tj.example", &kz_key);
	forged = list_text(LIST_URL, KZ_DID, &stranger);

	/* KZ down: the attempt is recorded with its reason. */
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(*error, "a reason is kept");

	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL,
			     serve_list, NULL, MHD_OPTION_END);
	cr_assert(d);
	/* Fetched from the registered endpoint, not from the host the list's URL names. */
	served = good;
	cr_assert_eq(fetch_round(error, sizeof(error)), 1, "%s", error);
	cr_assert_str_eq(asked, strstr(LIST_URL, "/api/"));
	served = NULL;
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(strstr(error, "404"), "%s", error);
	served = "this is not JSON";
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(strstr(error, "JSON"), "%s", error);
	served = "[1, 2, 3]";
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(strstr(error, "object"), "%s", error);
	served = wrong_id;
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(strstr(error, "not the URL asked for"), "%s", error);
	served = wrong_issuer;
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(strstr(error, "customs.tj.example"), "%s", error);
	served = forged;
	cr_assert_eq(fetch_round(error, sizeof(error)), 0);
	cr_assert(strstr(error, "proof does not hold"), "%s", error);
	served = NULL;
	MHD_stop_daemon(d);
	free(good);
	free(wrong_id);
	free(wrong_issuer);
	free(forged);
	json_decref(secured);
	json_decref(doc);
	curl_global_cleanup();
}
