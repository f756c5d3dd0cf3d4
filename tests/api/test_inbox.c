/*
 * test_inbox.c — POST /api/v1/exchange/inbox as a partner node uses it,
 * and the messages as officers see them: a registered partner's signed
 * document is acknowledged once (a replay too, as a duplicate); tampered,
 * unknown, expired, misaddressed and malformed submissions are refused with
 * a problem document naming the reason and recorded; GET
 * /api/v1/exchange/messages and `caravan exchange status` show both sides.
 *
 * The partner here is the test itself: it signs with the W3C vectors' key,
 * registered as did:web:customs.uz#key-1.
 */
#include "support/server.h"

#include "base/file.h"
#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/jcs.h"
#include "store/db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server srv;

static void start(void)
{
	static const char *const extra[] = {"--exchange-poll-ms", "100", "--exchange-backoff-max",
					    "1", NULL};
	test_server_start(&srv, extra);
}
static void stop(void) { test_server_stop(&srv); }

TestSuite(inbox_api, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)
#define PARTNER "did:web:customs.uz"
#define VECTOR_KEY "tests/vectors/eddsa-jcs-2022/keyPair.json"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Register the test as partner UZ (endpoint: a port nothing listens on). */
static void register_partner(void)
{
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners",
			  "{\"country\": \"UZ\", \"name\": \"State Customs Committee of Uzbekistan\","
			  " \"endpoint\": \"http://127.0.0.1:9\", \"did\": \"" PARTNER "\","
			  " \"keys\": [{\"id\": \"key-1\", \"publicKeyMultibase\":"
			  " \"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2\"}]}",
			  NULL),
		     201);
}

static void vector_key(struct exchange_key *key)
{
	char *text;
	size_t size;
	json_t *file;

	cr_assert_eq(cv_file_read(VECTOR_KEY, 4096, NULL, &text, &size, NULL), CV_OK);
	cr_assert_eq(exchange_jcs_parse(text, size, NULL, &file, NULL), CV_OK);
	cr_assert_eq(exchange_key_from_json(file, key, NULL), CV_OK);
	json_decref(file);
	cv_free(text);
}

/* A document (id, extra members) signed as method with the vector key (free it). */
static char *signed_doc(const char *id, const char *method, json_t *extra)
{
	struct exchange_proof_options options = {method, "2026-03-01T08:00:00Z", NULL};
	struct exchange_key key;
	json_t *doc = json_pack("{s:[s], s:s, s:[s, s], s:s, s:{s:s}}", "@context",
				"https://www.w3.org/ns/credentials/v2", "id", id, "type",
				"VerifiableCredential", "ExchangeTest", "issuer", PARTNER,
				"credentialSubject", "hello", "KZ"),
	       *secured;
	struct cv_buf text;
	char *out;

	vector_key(&key);
	if (extra)
		json_object_update(doc, extra);
	json_decref(extra);
	cr_assert_eq(exchange_credential_sign(doc, &key, &options, &secured, NULL), CV_OK);
	cv_buf_init(&text);
	cr_assert_eq(exchange_jcs_serialize(secured, &text, NULL), CV_OK);
	out = strdup(cv_buf_str(&text));
	cv_buf_release(&text);
	json_decref(secured);
	json_decref(doc);
	return out;
}

/* POST body to the inbox as a partner would (no credentials). */
static long deliver(const char *body, struct test_response *r)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};

	test_http(&srv, "POST", "/api/v1/exchange/inbox", headers, body, r);
	return r->status;
}

Test(inbox_api, a_partners_document_is_acknowledged_once_and_shown_to_officers)
{
	struct test_response r;
	char *doc, path[128], message[64];

	register_partner();
	doc = signed_doc("urn:uuid:0001", PARTNER "#key-1", NULL);
	cr_assert_eq(deliver(doc, &r), 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "acknowledged")), "%s", r.body);
	cr_assert_str_eq(str(r.json, "id"), "urn:uuid:0001");
	cr_assert(json_is_false(json_object_get(r.json, "duplicate")));
	snprintf(message, sizeof(message), "%s", str(r.json, "message"));
	test_response_free(&r);
	/* The same document again: acknowledged as a duplicate, stored once. */
	cr_assert_eq(deliver(doc, &r), 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "duplicate")), "%s", r.body);
	cr_assert_str_eq(str(r.json, "message"), message);
	test_response_free(&r);
	free(doc);

	cr_assert_eq(call("border.officer", "GET", "/api/v1/exchange/messages?direction=in", NULL,
			  &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	{
		const json_t *m = json_array_get(json_object_get(r.json, "items"), 0);

		cr_assert_str_eq(str(m, "state"), "accepted");
		cr_assert_str_eq(str(m, "partner_country"), "UZ");
		cr_assert_str_eq(str(m, "kind"), "ExchangeTest");
		cr_assert_null(json_object_get(m, "document"), "the list has no documents");
	}
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/exchange/messages/%s", message);
	cr_assert_eq(call("auditor", "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(str(json_object_get(r.json, "document"), "id"), "urn:uuid:0001");
	cr_assert(json_is_object(json_object_get(json_object_get(r.json, "document"), "proof")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/exchange/messages", NULL, NULL), 403);
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/messages/nothing", NULL, NULL), 404);
}

/* Deliver body and check the refusal: status, reason, and the member at fault when given. */
static void assert_refused(const char *body, long status, const char *reason, const char *field)
{
	struct test_response r;
	char *type;

	cr_assert_eq(deliver(body, &r), status, "%s -> %s", body, r.body);
	type = test_header(&r, "Content-Type");
	cr_assert(type && !strcmp(type, "application/problem+json"), "%s", type ? type : "");
	free(type);
	cr_assert_str_eq(str(r.json, "reason"), reason, "%s", r.body);
	cr_assert(json_is_string(json_object_get(r.json, "refusal")), "%s", r.body);
	if (field)
		cr_assert_str_eq(str(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
				 field, "%s", r.body);
	test_response_free(&r);
}

Test(inbox_api, refused_submissions_are_named_and_recorded)
{
	struct test_response r;
	char *doc, own[128], audience[256];

	register_partner();
	test_http(&srv, "GET", "/.well-known/did.json", NULL, NULL, &r);
	snprintf(own, sizeof(own), "%s", str(r.json, "id"));
	test_response_free(&r);

	doc = signed_doc("urn:uuid:0002", PARTNER "#key-1", NULL);
	doc[strstr(doc, "\"hello\":\"KZ\"") - doc + 10] = 'X'; /* "KZ" becomes "KX" */
	assert_refused(doc, 403, "bad_signature", "proofValue");
	free(doc);
	doc = signed_doc("urn:uuid:0003", "did:web:customs.kg#key-1", NULL);
	assert_refused(doc, 403, "unknown_sender", "proof.verificationMethod");
	free(doc);
	doc = signed_doc("urn:uuid:0004", PARTNER "#key-1",
			 json_pack("{s:s}", "validUntil", "2025-12-31T23:59:59Z"));
	assert_refused(doc, 422, "expired", "validUntil");
	free(doc);
	doc = signed_doc("urn:uuid:0005", PARTNER "#key-1",
			 json_pack("{s:s}", "to", "did:web:customs.kg"));
	assert_refused(doc, 422, "wrong_audience", "to");
	free(doc);
	assert_refused("{\"id\": \"urn:uuid:0006\"", 400, "malformed", NULL);
	assert_refused("{\"id\": \"urn:uuid:0007\", \"type\": \"ExchangeTest\"}", 422, "malformed",
		       "proof.verificationMethod");

	/* Addressed to this node, it is taken. */
	snprintf(audience, sizeof(audience), "[\"did:web:customs.kg\", \"%s\"]", own);
	doc = signed_doc("urn:uuid:0008", PARTNER "#key-1",
			 json_pack("{s:o}", "to", json_loads(audience, 0, NULL)));
	cr_assert_eq(deliver(doc, &r), 200, "%s", r.body);
	test_response_free(&r);
	free(doc);
	{
		static const char *const text[] = {"Content-Type: text/plain", NULL};

		test_http(&srv, "POST", "/api/v1/exchange/inbox", text, "{}", &r);
		cr_assert_eq(r.status, 415, "%s", r.body);
		test_response_free(&r);
	}

	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/messages?state=refused", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 6, "%s", r.body);
	cr_assert_str_eq(str(json_array_get(json_object_get(r.json, "items"), 0), "reason"),
			 "malformed", "newest first: %s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/messages?state=accepted", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	/* Paged. */
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/messages?direction=in&limit=4", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 4);
	{
		char next[160];

		snprintf(next, sizeof(next),
			 "/api/v1/exchange/messages?direction=in&limit=4&after=%s",
			 str(r.json, "next_after"));
		test_response_free(&r);
		cr_assert_eq(call("admin", "GET", next, NULL, &r), 200);
		cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 3, "%s", r.body);
		test_response_free(&r);
	}
	/* Each refusal is in the audit log too. */
	{
		struct store *store;
		struct store_conn *conn;
		struct store_stmt *stmt;

		cr_assert_eq(store_open(srv.db_url, &store, NULL), CV_OK);
		cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
		cr_assert_eq(store_query_row(conn, &stmt,
					     "SELECT COUNT(*) FROM audit_log WHERE action = $1"
					     " AND entity_type = 'exchange_refusal'",
					     "t", "exchange.receive"),
			     CV_OK);
		cr_assert_eq(store_col_int64(stmt, 0), 6);
		store_finish(stmt);
		store_close(store);
	}
}

Test(inbox_api, an_inactive_partner_is_an_unknown_sender)
{
	struct test_response r;
	char *doc = signed_doc("urn:uuid:0009", PARTNER "#key-1", NULL);

	register_partner();
	cr_assert_eq(call("admin", "DELETE", "/api/v1/exchange/partners/" PARTNER, NULL, NULL), 200);
	assert_refused(doc, 403, "unknown_sender", "proof.verificationMethod");
	cr_assert_eq(call("admin", "PATCH", "/api/v1/exchange/partners/" PARTNER,
			  "{\"status\": \"active\"}", NULL),
		     200);
	cr_assert_eq(deliver(doc, &r), 200, "%s", r.body);
	test_response_free(&r);
	free(doc);
}

Test(inbox_api, the_message_list_names_bad_filters)
{
	struct test_response r;

	cr_assert_eq(call("admin", "GET",
			  "/api/v1/exchange/messages?direction=sideways&state=lost&limit=0", NULL,
			  &r),
		     422);
	cr_assert_eq(json_array_size(json_object_get(r.json, "errors")), 3, "%s", r.body);
	test_response_free(&r);
}

Test(inbox_api, a_document_sent_to_a_partner_that_is_down_waits_with_its_reason)
{
	struct test_response r;
	char args[1024], *out, file[300];
	FILE *f;
	int waited;

	register_partner();
	snprintf(file, sizeof(file), "%s/doc.json", srv.dir);
	f = fopen(file, "w");
	fputs("{\"type\": [\"VerifiableCredential\", \"ExchangeTest\"], \"credentialSubject\": {}}",
	      f);
	fclose(f);
	snprintf(args, sizeof(args), "exchange send --db %s --partner " PARTNER " %s", srv.db_url,
		 file);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "ExchangeTest queued for " PARTNER), "%s", out);
	free(out);
	/* The server's worker tries (nothing listens on port 9) and keeps it. */
	for (waited = 0; waited < 50; waited++) {
		const json_t *m;

		cr_assert_eq(call("risk.analyst", "GET", "/api/v1/exchange/messages?direction=out",
				  NULL, &r),
			     200);
		m = json_array_get(json_object_get(r.json, "items"), 0);
		cr_assert_str_eq(str(m, "state"), "pending", "%s", r.body);
		if (json_integer_value(json_object_get(m, "attempts")) > 0) {
			cr_assert(json_is_string(json_object_get(m, "last_error")), "%s", r.body);
			cr_assert(json_is_string(json_object_get(m, "next_attempt_at")), "%s",
				  r.body);
			test_response_free(&r);
			break;
		}
		test_response_free(&r);
		usleep(100 * 1000);
	}
	cr_assert_lt(waited, 50, "the worker never tried");
	snprintf(args, sizeof(args), "exchange status --db %s", srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "out: 1 pending, 0 delivered, 0 acknowledged, 0 failed"), "%s", out);
	cr_assert(strstr(out, "latest failures:"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "exchange send --db %s --partner did:web:nobody.example %s",
		 srv.db_url, file);
	cr_assert_eq(test_cli(args, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, "no partner"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "exchange send --db %s %s", srv.db_url, file);
	cr_assert_eq(test_cli(args, NULL, &out), 2, "%s", out);
	free(out);
}

/* POST {"documents": [texts...], "ordered": ordered} (ordered < 0: absent). */
static long deliver_batch(const char *const *texts, size_t n, int ordered, struct test_response *r)
{
	struct cv_buf body;
	long status;

	cv_buf_init(&body);
	cr_assert_eq(cv_buf_adds(&body, "{\"documents\": ["), CV_OK);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(cv_buf_addf(&body, "%s%s", i ? ", " : "", texts[i]), CV_OK);
	cr_assert_eq(cv_buf_addf(&body, "]%s}",
				 ordered < 0 ? ""
				 : ordered   ? ", \"ordered\": true"
					     : ", \"ordered\": false"),
		     CV_OK);
	status = deliver(cv_buf_str(&body), r);
	cv_buf_release(&body);
	return status;
}

/* How many rows sql counts in the server's database. */
static long long count_rows(const char *sql)
{
	struct store *store;
	struct store_conn *conn;
	struct store_stmt *stmt;
	long long n;

	cr_assert_eq(store_open(srv.db_url, &store, NULL), CV_OK);
	cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
	cr_assert_eq(store_query_row(conn, &stmt, sql, ""), CV_OK, "%s", sql);
	n = store_col_int64(stmt, 0);
	store_finish(stmt);
	store_close(store);
	return n;
}

static const json_t *receipt(const struct test_response *r, size_t i)
{
	return json_array_get(json_object_get(r->json, "receipts"), i);
}

static const char *refusal_reason(const json_t *receipt)
{
	return str(json_object_get(receipt, "problem"), "reason");
}

Test(inbox_api, a_batch_is_settled_document_by_document_with_a_receipt_each)
{
	struct test_response r;
	char *good = signed_doc("urn:uuid:b1", PARTNER "#key-1", NULL),
	     *bad = signed_doc("urn:uuid:b2", PARTNER "#key-1", NULL),
	     *other = signed_doc("urn:uuid:b3", PARTNER "#key-1",
				 json_pack("{s:[s, s]}", "type", "VerifiableCredential",
					   "AdvanceCargoTest")),
	     *aeo = signed_doc("urn:uuid:b4", PARTNER "#key-1",
			       json_pack("{s:[s, s]}", "type", "VerifiableCredential",
					 "AEOStatusCredential"));
	const char *batch[] = {good, bad, other, good, aeo, "5"};
	long long audit_before;

	register_partner();
	bad[strstr(bad, "\"hello\":\"KZ\"") - bad + 10] = 'X'; /* altered on the way */
	audit_before = count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.receive'");
	cr_assert_eq(deliver_batch(batch, 6, -1, &r), 200, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "receipts")), 6, "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 0), "acknowledged")), "%s", r.body);
	cr_assert_str_eq(str(receipt(&r, 0), "id"), "urn:uuid:b1");
	cr_assert(json_is_false(json_object_get(receipt(&r, 0), "duplicate")));
	/* The altered one is refused; the others are not held back by it. */
	cr_assert(json_is_false(json_object_get(receipt(&r, 1), "acknowledged")), "%s", r.body);
	cr_assert_str_eq(str(receipt(&r, 1), "id"), "urn:uuid:b2");
	cr_assert_str_eq(refusal_reason(receipt(&r, 1)), "bad_signature", "%s", r.body);
	cr_assert_eq(json_integer_value(
			     json_object_get(json_object_get(receipt(&r, 1), "problem"), "status")),
		     403);
	cr_assert(json_is_string(
		json_object_get(json_object_get(receipt(&r, 1), "problem"), "refusal")));
	cr_assert(json_is_true(json_object_get(receipt(&r, 2), "acknowledged")), "%s", r.body);
	/* The same document twice in one batch: the second is a duplicate. */
	cr_assert(json_is_true(json_object_get(receipt(&r, 3), "duplicate")), "%s", r.body);
	cr_assert_str_eq(str(receipt(&r, 3), "message"), str(receipt(&r, 0), "message"));
	/* A kind whose handler refuses it (no MRA with UZ): rejected, with the handler's reason. */
	cr_assert_str_eq(refusal_reason(receipt(&r, 4)), "rejected", "%s", r.body);
	cr_assert_str_eq(refusal_reason(receipt(&r, 5)), "malformed", "%s", r.body);
	cr_assert(json_is_null(json_object_get(receipt(&r, 5), "id")), "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "accepted")), 2);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "duplicates")), 1);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "refused")), 3);
	test_response_free(&r);

	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_inbox"), 2);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_refusals"), 3);
	cr_assert_eq(count_rows(
			     "SELECT COUNT(*) FROM exchange_refusals WHERE reason ="
			     " 'bad_signature' AND document_id = 'urn:uuid:b2' AND body LIKE '%KX%'"),
		     1, "the refused document is recorded as it came");
	/* An audit row per document, and one for the batch. */
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM audit_log WHERE action = 'exchange.receive'") -
			     audit_before,
		     7);
	cr_assert_eq(count_rows(
			     "SELECT COUNT(*) FROM audit_log WHERE entity_type = 'exchange_batch'"),
		     1);

	/* Sent again, whole: the accepted ones are duplicates, nothing is applied twice. */
	cr_assert_eq(deliver_batch(batch, 6, -1, &r), 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 0), "duplicate")), "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 2), "duplicate")), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_inbox"), 2);
	free(good);
	free(bad);
	free(other);
	free(aeo);
}

Test(inbox_api, an_ordered_batch_ends_at_its_first_refusal)
{
	struct test_response r;
	char *first = signed_doc("urn:uuid:o1", PARTNER "#key-1", NULL),
	     *refused = signed_doc("urn:uuid:o2", PARTNER "#key-1",
				   json_pack("{s:s}", "validUntil", "2025-12-31T23:59:59Z")),
	     *third = signed_doc("urn:uuid:o3", PARTNER "#key-1", NULL);
	const char *batch[] = {first, refused, third};

	register_partner();
	cr_assert_eq(deliver_batch(batch, 3, 1, &r), 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 0), "acknowledged")), "%s", r.body);
	cr_assert_str_eq(refusal_reason(receipt(&r, 1)), "expired", "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 2), "skipped")), "%s", r.body);
	cr_assert_str_eq(str(receipt(&r, 2), "id"), "urn:uuid:o3");
	cr_assert_eq(json_integer_value(json_object_get(r.json, "skipped")), 1);
	test_response_free(&r);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_inbox"), 1, "the third is not taken");
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_refusals"), 1, "nor refused");

	/* Not ordered: the third is taken. */
	cr_assert_eq(deliver_batch(batch, 3, 0, &r), 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 0), "duplicate")), "%s", r.body);
	cr_assert_str_eq(refusal_reason(receipt(&r, 1)), "expired", "%s", r.body);
	cr_assert(json_is_true(json_object_get(receipt(&r, 2), "acknowledged")), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_inbox"), 2);
	free(first);
	free(refused);
	free(third);
}

Test(inbox_api, a_batch_that_is_not_one_is_refused_whole_and_recorded)
{
	struct test_response r;
	struct cv_buf many;
	char *doc = signed_doc("urn:uuid:w1", PARTNER "#key-1", NULL), body[8192];

	register_partner();
	assert_refused("{\"documents\": 5}", 422, "malformed", "documents");
	assert_refused("{\"documents\": {}}", 422, "malformed", "documents");
	assert_refused("{\"documents\": []}", 422, "malformed", "documents");
	snprintf(body, sizeof(body), "{\"documents\": [%s], \"ordered\": \"yes\"}", doc);
	assert_refused(body, 422, "malformed", "ordered");
	/* A JSON array is no batch: one document that is not an object. */
	snprintf(body, sizeof(body), "[%s]", doc);
	assert_refused(body, 400, "malformed", NULL);
	assert_refused("{\"documents\": [", 400, "malformed", NULL);
	/* More than the inbox takes in one: 413, send fewer. */
	cv_buf_init(&many);
	cr_assert_eq(cv_buf_adds(&many, "{\"documents\": [{}"), CV_OK);
	for (int i = 1; i <= 500; i++)
		cr_assert_eq(cv_buf_adds(&many, ", {}"), CV_OK);
	cr_assert_eq(cv_buf_adds(&many, "]}"), CV_OK);
	assert_refused(cv_buf_str(&many), 413, "malformed", "documents");
	cv_buf_release(&many);
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_refusals"), 7, "each recorded");
	cr_assert_eq(count_rows("SELECT COUNT(*) FROM exchange_inbox"), 0, "nothing taken");
	/* A proof makes it a document, even with a documents member. */
	free(doc);
	doc = signed_doc("urn:uuid:w2", PARTNER "#key-1", json_pack("{s:[]}", "documents"));
	cr_assert_eq(deliver(doc, &r), 200, "%s", r.body);
	cr_assert_str_eq(str(r.json, "id"), "urn:uuid:w2", "%s", r.body);
	test_response_free(&r);
	free(doc);
}
