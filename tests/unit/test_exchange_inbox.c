/*
 * test_exchange_inbox.c — receiving documents from partners
 * (exchange/inbox.h) against a real database: only a registered, active
 * partner's signature lets a document in; each refusal is recorded with its
 * reason; a replay changes nothing; the handler of a kind runs in the
 * transaction, and when it refuses, its writes and the document's row go
 * with it.
 */
#include "exchange/inbox.h"

#include "base/log.h"
#include "exchange/jcs.h"
#include "store/migrate.h"

#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PARTNER_DID "did:web:customs.uz"
#define NODE_DID "did:web:customs.kz"

static char dir[] = "/tmp/caravan-inbox-XXXXXX";
static struct store *store;
static struct store_conn *conn;
static struct exchange_key partner_key, stranger_key;
static char partner_id[CV_UUID_STR];

static void make_key(struct exchange_key *key, char multikey[80])
{
	struct cv_buf b;

	cr_assert_eq(exchange_key_generate(key), CV_OK);
	cv_buf_init(&b);
	cr_assert_eq(exchange_key_multibase(key->public_key, &b), CV_OK);
	snprintf(multikey, 80, "%s", cv_buf_str(&b));
	cv_buf_release(&b);
}

static void setup(void)
{
	char multikey[80], stranger[80];

	test_store_make(dir, &store, &conn, 1);
	cr_assert_eq(store_execf(conn, NULL,
				 "CREATE TABLE effects (document_id TEXT PRIMARY KEY, partner TEXT)",
				 ""),
		     0);
	make_key(&partner_key, multikey);
	make_key(&stranger_key, stranger);
	test_store_partner(conn, "UZ", PARTNER_DID, "https://customs.uz", multikey, "{}",
			   partner_id);
}

static void teardown(void) { test_store_remove(store, dir); }

TestSuite(inbox, .init = setup, .fini = teardown);

/*
 * A test handler for "Effect": it records the document; it refuses one
 * whose subject says "refuse", after writing (so the undoing shows), and
 * fails like a database for "fail".
 */
static int effect(struct store_conn *c, const struct exchange_inbox_message *m, struct cv_error *err)
{
	const char *what = json_string_value(
		json_object_get(json_object_get(m->document, "credentialSubject"), "what"));
	int rc = store_execf(c, NULL, "INSERT INTO effects (document_id, partner) VALUES ($1, $2)",
			     "tt", m->document_id, m->partner->country);

	if (rc)
		return rc;
	if (what && !strcmp(what, "refuse"))
		return cv_error_set(err, CV_EINVAL, "credentialSubject.what",
				    "this node does not take refusals");
	if (what && !strcmp(what, "fail"))
		return cv_error_set(err, CV_EDB, NULL, "the disk is full");
	return CV_OK;
}

static const struct exchange_inbox_handler handlers[] = {{"Effect", effect}, {NULL, NULL}};

/* A document of type, signed by key as method, with extra members (may be NULL). */
static char *signed_doc(const struct exchange_key *key, const char *method, const char *id,
			const char *type, json_t *extra)
{
	struct exchange_proof_options options = {method, "2026-03-01T08:00:00Z", NULL};
	json_t *doc = json_pack("{s:[s], s:s, s:[s, s], s:s, s:{s:s}}", "@context",
				"https://www.w3.org/ns/credentials/v2", "id", id, "type",
				"VerifiableCredential", type, "issuer", PARTNER_DID,
				"credentialSubject", "what", "keep"),
	       *secured;
	struct cv_buf text;
	char *out;

	if (extra)
		json_object_update(doc, extra);
	json_decref(extra);
	cr_assert_eq(exchange_credential_sign(doc, key, &options, &secured, NULL), CV_OK);
	cv_buf_init(&text);
	cr_assert_eq(exchange_jcs_serialize(secured, &text, NULL), CV_OK);
	out = strdup(cv_buf_str(&text));
	cv_buf_release(&text);
	json_decref(secured);
	json_decref(doc);
	return out;
}

/* Receive text in a transaction, committed as the API does. */
static int receive(const char *text, struct exchange_inbox_result *result)
{
	struct exchange_inbox_context ctx = {NODE_DID, "192.0.2.7", handlers, cv_clock_now_ms()};
	int rc;

	cr_assert_eq(store_begin(conn), 0);
	rc = exchange_inbox_receive(conn, &ctx, text, strlen(text), result);
	if (rc)
		store_rollback(conn);
	else
		cr_assert_eq(store_commit(conn), 0);
	return rc;
}

static long long count(const char *sql)
{
	struct store_stmt *stmt;
	long long n;

	cr_assert_eq(store_query_row(conn, &stmt, sql, ""), CV_OK, "%s", sql);
	n = store_col_int64(stmt, 0);
	store_finish(stmt);
	return n;
}

Test(inbox, a_partners_document_is_stored_once_and_its_handler_runs_once)
{
	struct exchange_inbox_result r;
	char *doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:1", "Effect", NULL);

	cr_assert_eq(receive(doc, &r), CV_OK);
	cr_assert_eq(r.outcome, EXCHANGE_INBOX_ACCEPTED, "%s", r.detail);
	cr_assert_str_eq(r.kind, "Effect");
	cr_assert_str_eq(r.partner_id, partner_id);
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox WHERE handled = 'handled'"), 1);
	/* The replay: acknowledged, nothing applied again. */
	cr_assert_eq(receive(doc, &r), CV_OK);
	cr_assert_eq(r.outcome, EXCHANGE_INBOX_DUPLICATE);
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), 1);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox"), 1);
	free(doc);

	/* A kind with no handler is kept as received, named by its most specific type. */
	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:2", "AdvanceCargo", NULL);
	cr_assert_eq(receive(doc, &r), CV_OK);
	cr_assert_eq(r.outcome, EXCHANGE_INBOX_ACCEPTED, "%s", r.detail);
	cr_assert_str_eq(r.kind, "AdvanceCargo");
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox WHERE handled = ''"), 1);
	free(doc);
}

/* Receive text and check it is refused for reason, recorded. */
static void assert_refused(const char *text, enum exchange_inbox_outcome reason,
			   const char *detail_part)
{
	struct exchange_inbox_result r;
	long long before = count("SELECT COUNT(*) FROM exchange_refusals");

	cr_assert_eq(receive(text, &r), CV_OK);
	cr_assert_eq(r.outcome, reason, "%s: got %s (%s)", text,
		     exchange_inbox_outcome_name(r.outcome), r.detail);
	cr_assert(strstr(r.detail, detail_part), "%s", r.detail);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals"), before + 1);
}

Test(inbox, only_a_registered_active_partners_key_lets_a_document_in)
{
	char *doc, stranger_did[160];
	struct cv_buf did;

	/* Another key under the partner's name; a key the partner never registered. */
	doc = signed_doc(&stranger_key, PARTNER_DID "#key-1", "urn:uuid:3", "Effect", NULL);
	assert_refused(doc, EXCHANGE_INBOX_BAD_SIGNATURE, "does not match");
	free(doc);
	doc = signed_doc(&partner_key, PARTNER_DID "#key-9", "urn:uuid:3", "Effect", NULL);
	assert_refused(doc, EXCHANGE_INBOX_UNKNOWN_SENDER, "no key key-9");
	free(doc);
	/* A valid signature of someone who is no partner. */
	doc = signed_doc(&stranger_key, "did:web:evil.example#key-1", "urn:uuid:3", "Effect", NULL);
	assert_refused(doc, EXCHANGE_INBOX_UNKNOWN_SENDER, "not a partner");
	free(doc);
	cv_buf_init(&did);
	cr_assert_eq(exchange_key_did(stranger_key.public_key, &did), CV_OK);
	snprintf(stranger_did, sizeof(stranger_did), "%s", cv_buf_str(&did));
	cv_buf_release(&did);
	doc = signed_doc(&stranger_key, stranger_did, "urn:uuid:3", "Effect", NULL);
	assert_refused(doc, EXCHANGE_INBOX_UNKNOWN_SENDER, "not a partner");
	free(doc);
	/* The partner itself, once inactive. */
	cr_assert_eq(store_execf(conn, NULL, "UPDATE exchange_partners SET status = 'inactive'", ""),
		     0);
	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:3", "Effect", NULL);
	assert_refused(doc, EXCHANGE_INBOX_UNKNOWN_SENDER, "inactive partner");
	free(doc);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE address = '192.0.2.7'"), 5);
}

Test(inbox, what_the_signed_content_says_is_checked_after_the_signature)
{
	char *doc;

	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:4", "Effect",
			 json_pack("{s:s}", "validUntil", "2020-01-01T00:00:00Z"));
	assert_refused(doc, EXCHANGE_INBOX_EXPIRED, "expired at 2020-01-01T00:00:00Z");
	free(doc);
	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:4", "Effect",
			 json_pack("{s:s}", "validUntil", "soon"));
	assert_refused(doc, EXCHANGE_INBOX_MALFORMED, "validUntil");
	free(doc);
	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:4", "Effect",
			 json_pack("{s:[s, s]}", "to", "did:web:customs.kg", "did:web:gacc.cn"));
	assert_refused(doc, EXCHANGE_INBOX_WRONG_AUDIENCE, "another node");
	free(doc);
	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:4", "Effect",
			 json_pack("{s:i}", "to", 7));
	assert_refused(doc, EXCHANGE_INBOX_MALFORMED, "list of DIDs");
	free(doc);
	{
		struct exchange_inbox_result r;

		doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:4", "Effect",
				 json_pack("{s:[s, s], s:s}", "to", "did:web:customs.kg", NODE_DID,
					   "validUntil", "2999-01-01T00:00:00Z"));
		cr_assert_eq(receive(doc, &r), CV_OK);
		cr_assert_eq(r.outcome, EXCHANGE_INBOX_ACCEPTED, "%s", r.detail);
		free(doc);
	}
}

Test(inbox, garbage_is_refused_as_malformed_and_recorded)
{
	static const char *const bodies[] =
		{"",
		 "not json",
		 "[1, 2]",
		 "{\"id\": \"urn:uuid:5\"}",
		 "{\"id\": \"urn:uuid:5\", \"type\": \"Effect\"}",
		 "{\"id\": \"urn:uuid:5\", \"type\": [\"Effect\", 7], \"proof\": {}}",
		 "{\"id\": 5, \"type\": \"Effect\"}",
		 "{\"id\": \"urn:uuid:5\", \"type\": \"Effect\", \"proof\": {\"verificationMethod\":"
		 " \"no-hash\"}}",
		 "{\"id\": \"urn:uuid:5\", \"type\": \"Effect\", \"a\": 1, \"a\": 2}"};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_refused(bodies[i], EXCHANGE_INBOX_MALFORMED, "");
	/* A proof that names the partner's key but is not a proof. */
	assert_refused("{\"id\": \"urn:uuid:5\", \"type\": \"Effect\", \"proof\": {\"type\":"
		       " \"DataIntegrityProof\", \"cryptosuite\": \"eddsa-jcs-2022\", \"proofPurpose\":"
		       " \"assertionMethod\", \"verificationMethod\": \"" PARTNER_DID "#key-1\","
		       " \"proofValue\": \"zzz\"}}",
		       EXCHANGE_INBOX_MALFORMED, "proofValue");
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE reason = 'malformed'"
			   " AND body_size >= 0"),
		     10);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE body = 'not json'"), 0,
		     "a body that is not JSON is kept as its hash only");
}

Test(inbox, a_handler_that_refuses_takes_its_writes_and_the_document_back)
{
	struct exchange_inbox_result r;
	char *doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:6", "Effect",
			       json_pack("{s:{s:s}}", "credentialSubject", "what", "refuse"));

	assert_refused(doc, EXCHANGE_INBOX_REJECTED, "does not take refusals");
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE reason = 'rejected'"
			   " AND document_id = 'urn:uuid:6' AND kind = 'Effect'"),
		     1);
	free(doc);

	/* A failure of the node is no refusal: nothing is settled, the sender tries again. */
	doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:7", "Effect",
			 json_pack("{s:{s:s}}", "credentialSubject", "what", "fail"));
	cr_assert_eq(receive(doc, &r), CV_EDB);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE document_id = 'urn:uuid:7'"),
		     0);
	free(doc);
}

/* {"documents": [texts...]} (free it). */
static char *batch_of(char *const *texts, size_t n, int ordered)
{
	struct cv_buf b;
	char *out;

	cv_buf_init(&b);
	cr_assert_eq(cv_buf_adds(&b, "{\"documents\": ["), CV_OK);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(cv_buf_addf(&b, "%s%s", i ? "," : "", texts[i]), CV_OK);
	cr_assert_eq(cv_buf_addf(&b, "], \"ordered\": %s}", ordered ? "true" : "false"), CV_OK);
	out = strdup(cv_buf_str(&b));
	cv_buf_release(&b);
	return out;
}

/* Check text outside a transaction, then settle each document in one, as the API does. */
static size_t receive_all(const char *text, struct exchange_inbox_result *results, size_t max)
{
	struct exchange_inbox_context ctx = {NODE_DID, "192.0.2.7", handlers, cv_clock_now_ms()};
	struct exchange_inbox_submission *s;
	size_t n;

	cr_assert_eq(exchange_inbox_check(conn, &ctx, text, strlen(text), &s), CV_OK);
	n = exchange_inbox_submission_count(s);
	cr_assert_leq(n, max);
	cr_assert_eq(store_begin(conn), 0);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(exchange_inbox_settle(conn, &ctx, s, i, &results[i]), CV_OK);
	cr_assert_eq(store_commit(conn), 0);
	exchange_inbox_submission_free(s);
	return n;
}

Test(inbox, a_batch_is_checked_first_then_settled_in_order_each_on_its_own)
{
	struct exchange_inbox_result r[4];
	char *docs[4] = {signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:b1", "Effect",
				    NULL),
			 signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:b2", "Effect",
				    json_pack("{s:{s:s}}", "credentialSubject", "what", "refuse")),
			 signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:b3", "Effect",
				    NULL),
			 NULL};
	char *batch;

	docs[3] = docs[0];
	batch = batch_of(docs, 4, 0);
	cr_assert_eq(receive_all(batch, r, 4), 4);
	cr_assert_eq(r[0].outcome, EXCHANGE_INBOX_ACCEPTED, "%s", r[0].detail);
	cr_assert_eq(r[1].outcome, EXCHANGE_INBOX_REJECTED, "%s", r[1].detail);
	cr_assert_str_eq(r[1].field, "credentialSubject.what");
	cr_assert_eq(r[2].outcome, EXCHANGE_INBOX_ACCEPTED, "%s", r[2].detail);
	cr_assert_eq(r[3].outcome, EXCHANGE_INBOX_DUPLICATE);
	cr_assert_str_eq(r[3].id, r[0].id);
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), 2, "the refused one's writes undone");
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox"), 2);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE reason = 'rejected'"
			   " AND document_id = 'urn:uuid:b2'"),
		     1);
	/* Stored as its canonical form: what the partner signed, verifiable again. */
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_inbox WHERE body LIKE '{\"@context\":%'"),
		     2);
	free(batch);
	for (int i = 0; i < 3; i++)
		free(docs[i]);
}

Test(inbox, a_partner_made_inactive_between_check_and_settle_is_an_unknown_sender)
{
	struct exchange_inbox_context ctx = {NODE_DID, "192.0.2.7", handlers, cv_clock_now_ms()};
	struct exchange_inbox_submission *s;
	struct exchange_inbox_result r;
	char *doc = signed_doc(&partner_key, PARTNER_DID "#key-1", "urn:uuid:late", "Effect", NULL);

	cr_assert_eq(exchange_inbox_check(conn, &ctx, doc, strlen(doc), &s), CV_OK);
	cr_assert_not(exchange_inbox_submission_is_batch(s));
	cr_assert_eq(store_execf(conn, NULL, "UPDATE exchange_partners SET status = 'inactive'", ""),
		     0);
	cr_assert_eq(store_begin(conn), 0);
	cr_assert_eq(exchange_inbox_settle(conn, &ctx, s, 0, &r), CV_OK);
	cr_assert_eq(store_commit(conn), 0);
	cr_assert_eq(r.outcome, EXCHANGE_INBOX_UNKNOWN_SENDER, "%s", r.detail);
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), 0);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals"), 1);
	exchange_inbox_submission_free(s);
	free(doc);
}

Test(inbox, a_large_batch_checked_on_several_threads_gives_each_document_its_own_outcome)
{
	enum { N = 240 };
	static struct exchange_inbox_result r[N];
	char *docs[N], id[32], *batch;
	int accepted = 0;

	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "urn:uuid:many-%d", i);
		/* Every seventh signed by a key the partner does not hold. */
		docs[i] = signed_doc(i % 7 == 3 ? &stranger_key : &partner_key,
				     PARTNER_DID "#key-1", id, "Effect", NULL);
	}
	batch = batch_of(docs, N, 0);
	cr_assert_eq(receive_all(batch, r, N), N);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "urn:uuid:many-%d", i);
		cr_assert_str_eq(r[i].document_id, id, "in order");
		cr_assert_eq(r[i].outcome,
			     i % 7 == 3 ? EXCHANGE_INBOX_BAD_SIGNATURE : EXCHANGE_INBOX_ACCEPTED,
			     "document %d: %s", i, r[i].detail);
		accepted += r[i].outcome == EXCHANGE_INBOX_ACCEPTED;
	}
	cr_assert_eq(count("SELECT COUNT(*) FROM effects"), accepted);
	cr_assert_eq(count("SELECT COUNT(*) FROM exchange_refusals WHERE reason = 'bad_signature'"),
		     N - accepted);
	free(batch);
	for (int i = 0; i < N; i++)
		free(docs[i]);
}
