/*
 * test_two_nodes.c — two caravan nodes, Kazakhstan and Uzbekistan, on
 * loopback ports with their own databases and keys, exchanging signed
 * documents as partner administrations do: each registers the other from
 * its DID document through the API; a document queued in KZ's outbox
 * reaches UZ's inbox and is acknowledged; while UZ is down KZ's documents
 * wait and, once UZ is back, all arrive, in order, none lost and none
 * applied twice (not even when an acknowledgement is lost); a tampered
 * document, one from an unknown sender and a replay are told apart.
 */
#include "support/server.h"

#include "exchange/credential.h"
#include "exchange/jcs.h"
#include "store/db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server kz, uz;

static void start(void) { test_nodes_start(&kz, &uz); }
static void stop(void) { test_nodes_stop(&kz, &uz); }

TestSuite(e2e, .init = start, .fini = stop, .timeout = 120);

#define WAIT_STEP_MS 100
#define WAIT_MAX_STEPS 100 /* 10 s: deliveries run every 100 ms */

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void register_both(void)
{
	static const char mra[] = "{\"mra\": {\"since\": \"2025-06-01\","
				  " \"aeo_types\": [\"AEOS\", \"AEOF\"]}}";

	test_register_partner(&kz, &uz, "UZ", mra);
	test_register_partner(&uz, &kz, "KZ", mra);
}

/* Queue document number n from one node to another, with the command line. */
static void send_document(const struct test_server *from, const struct test_server *to, int n)
{
	char path[320], args[1024], *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/document-%d.json", from->dir, n);
	f = fopen(path, "w");
	cr_assert(f);
	fprintf(f,
		"{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
		" \"id\": \"urn:uuid:e2e-%d\", \"type\": [\"VerifiableCredential\", \"ExchangeTest\"],"
		" \"issuer\": \"%s\", \"to\": \"%s\", \"credentialSubject\": {\"number\": %d}}",
		n, from->did, to->did, n);
	fclose(f);
	snprintf(args, sizeof(args), "exchange send --config %s --partner '%s' %s",
		 from->config_path, to->did, path);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	free(out);
}

/* The node's message about document urn:uuid:e2e-n in direction (as JSON, free it), or NULL. */
static json_t *message(const struct test_server *node, const char *direction, int n)
{
	struct test_response r;
	char path[128], id[32];
	size_t i;
	json_t *m, *found = NULL;

	snprintf(path, sizeof(path), "/api/v1/exchange/messages?direction=%s&limit=500", direction);
	snprintf(id, sizeof(id), "urn:uuid:e2e-%d", n);
	cr_assert_eq(test_call(node, "admin", "GET", path, NULL, &r), 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "items"), i, m) {
		if (str(m, "document_id") && !strcmp(str(m, "document_id"), id) && !found)
			found = json_incref(m);
	}
	test_response_free(&r);
	return found;
}

/* Wait until KZ's outgoing document n is in state; returns its message. */
static json_t *wait_out(int n, const char *state)
{
	for (int step = 0; step < WAIT_MAX_STEPS; step++) {
		json_t *m = message(&kz, "out", n);

		if (m && !strcmp(str(m, "state"), state))
			return m;
		json_decref(m);
		usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert_fail("document %d did not become %s within %d ms", n, state,
		       WAIT_STEP_MS * WAIT_MAX_STEPS);
	return NULL;
}

/* How many documents node accepted. */
static size_t accepted(const struct test_server *node)
{
	struct test_response r;
	size_t n;

	cr_assert_eq(test_call(node, "admin", "GET",
			       "/api/v1/exchange/messages?direction=in&state=accepted&limit=500",
			       NULL, &r),
		     200);
	n = json_array_size(json_object_get(r.json, "items"));
	test_response_free(&r);
	return n;
}

Test(e2e, a_document_from_kz_reaches_uz_signed_and_is_acknowledged)
{
	json_t *out, *in;
	char path[128];
	struct test_response r;

	register_both();
	send_document(&kz, &uz, 1);
	out = wait_out(1, "acknowledged");
	cr_assert_eq(json_integer_value(json_object_get(out, "attempts")), 1);
	cr_assert_str_eq(str(out, "partner_country"), "UZ");
	json_decref(out);

	in = message(&uz, "in", 1);
	cr_assert_not_null(in, "UZ has no document 1");
	cr_assert_str_eq(str(in, "state"), "accepted");
	cr_assert_str_eq(str(in, "partner_country"), "KZ");
	cr_assert_str_eq(str(in, "kind"), "ExchangeTest");
	/* What UZ stored is what KZ signed, verifiable by KZ's DID document. */
	snprintf(path, sizeof(path), "/api/v1/exchange/messages/%s", str(in, "id"));
	cr_assert_eq(test_call(&uz, "border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	{
		const char *method = str(json_object_get(json_object_get(r.json, "document"),
							 "proof"),
					 "verificationMethod");
		char expected[128];

		snprintf(expected, sizeof(expected), "%s#key-1", kz.did);
		cr_assert_str_eq(method, expected);
	}
	test_response_free(&r);
	json_decref(in);
}

Test(e2e, while_uz_is_down_kz_keeps_its_documents_and_delivers_them_all_once_in_order)
{
	struct store *store;
	struct store_conn *conn;
	json_t *m;
	size_t i;
	struct test_response r;

	register_both();
	test_server_kill(&uz);
	for (int n = 1; n <= 3; n++)
		send_document(&kz, &uz, n);
	/* Tried, failed, kept with the reason; the later ones wait behind the first. */
	for (int step = 0; step < WAIT_MAX_STEPS; step++) {
		m = message(&kz, "out", 1);
		if (m && json_integer_value(json_object_get(m, "attempts")) >= 1)
			break;
		json_decref(m);
		m = NULL;
		usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert_not_null(m, "KZ never tried");
	cr_assert_str_eq(str(m, "state"), "pending");
	cr_assert(str(m, "last_error") && strstr(str(m, "last_error"), "connect"), "%s",
		  str(m, "last_error"));
	json_decref(m);
	m = message(&kz, "out", 3);
	cr_assert_eq(json_integer_value(json_object_get(m, "attempts")), 0,
		     "in order: document 3 waits for document 1");
	json_decref(m);

	test_server_restart(&uz);
	for (int n = 1; n <= 3; n++)
		json_decref(wait_out(n, "acknowledged"));
	cr_assert_eq(accepted(&uz), 3, "none lost, none twice");
	/* In the order sent: UZ lists newest first. */
	cr_assert_eq(test_call(&uz, "admin", "GET",
			       "/api/v1/exchange/messages?direction=in&state=accepted", NULL, &r),
		     200);
	json_array_foreach(json_object_get(r.json, "items"), i, m) {
		char id[32];

		snprintf(id, sizeof(id), "urn:uuid:e2e-%zu", 3 - i);
		cr_assert_str_eq(str(m, "document_id"), id, "%s", r.body);
	}
	test_response_free(&r);

	/* An acknowledgement lost on the way: KZ sends document 2 again; UZ applies it once. */
	cr_assert_eq(store_open(kz.db_url, &store, NULL), CV_OK);
	cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
	cr_assert_eq(store_execf(conn, NULL,
				 "UPDATE exchange_outbox SET state = 'pending',"
				 " next_attempt_at = '2000-01-01T00:00:00.000Z'"
				 " WHERE document_id = 'urn:uuid:e2e-2'",
				 ""),
		     CV_OK);
	store_close(store);
	m = wait_out(2, "acknowledged");
	cr_assert_geq(json_integer_value(json_object_get(m, "attempts")), 2, "sent again");
	json_decref(m);
	cr_assert_eq(accepted(&uz), 3, "the repeat is a duplicate, not a fourth document");
}

/* POST body to UZ's inbox as a partner node would. */
static long to_uz(const char *body, struct test_response *r)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};

	test_http(&uz, "POST", "/api/v1/exchange/inbox", headers, body, r);
	return r->status;
}

Test(e2e, uz_tells_a_replay_a_tampered_document_and_an_unknown_sender_apart)
{
	struct test_response r;
	json_t *sent, *document;
	char path[128], *text, *out, args[512];

	register_both();
	send_document(&kz, &uz, 7);
	sent = wait_out(7, "acknowledged");
	snprintf(path, sizeof(path), "/api/v1/exchange/messages/%s", str(sent, "id"));
	json_decref(sent);
	cr_assert_eq(test_call(&kz, "admin", "GET", path, NULL, &r), 200, "%s", r.body);
	document = json_incref(json_object_get(r.json, "document"));
	test_response_free(&r);

	/* The replay: acknowledged, ignored. */
	text = json_dumps(document, JSON_COMPACT);
	cr_assert_eq(to_uz(text, &r), 200, "%s", r.body);
	cr_assert(json_is_true(json_object_get(r.json, "duplicate")), "%s", r.body);
	test_response_free(&r);
	free(text);

	/* Tampered on the way. */
	json_object_set_new(json_object_get(document, "credentialSubject"), "number",
			    json_integer(8));
	json_object_set_new(document, "id", json_string("urn:uuid:e2e-8"));
	text = json_dumps(document, JSON_COMPACT);
	cr_assert_eq(to_uz(text, &r), 403, "%s", r.body);
	cr_assert_str_eq(str(r.json, "reason"), "bad_signature", "%s", r.body);
	test_response_free(&r);
	free(text);
	json_decref(document);

	/* Signed by a node UZ does not know (a third node's key, never registered). */
	{
		struct exchange_key key;
		struct exchange_proof_options options = {"did:web:127.0.0.1%3A1#key-1", NULL, NULL};
		json_t *doc = json_pack("{s:s, s:[s, s], s:{s:i}}", "id", "urn:uuid:e2e-9", "type",
					"VerifiableCredential", "ExchangeTest", "credentialSubject",
					"number", 9),
		       *secured;

		cr_assert_eq(exchange_key_generate(&key), CV_OK);
		cr_assert_eq(exchange_credential_sign(doc, &key, &options, &secured, NULL), CV_OK);
		text = json_dumps(secured, JSON_COMPACT);
		cr_assert_eq(to_uz(text, &r), 403, "%s", r.body);
		cr_assert_str_eq(str(r.json, "reason"), "unknown_sender", "%s", r.body);
		test_response_free(&r);
		free(text);
		json_decref(secured);
		json_decref(doc);
	}
	cr_assert_eq(accepted(&uz), 1);
	snprintf(args, sizeof(args), "exchange status --config %s", uz.config_path);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "in:  1 accepted, 2 refused"), "%s", out);
	cr_assert(strstr(out, "bad_signature") && strstr(out, "unknown_sender"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "exchange status --config %s", kz.config_path);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "out: 0 pending, 0 delivered, 1 acknowledged, 0 failed"), "%s", out);
	free(out);
}
