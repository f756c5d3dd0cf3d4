/*
 * test_exchange_outbox.c — documents for partners (exchange/outbox.h): what
 * may be queued and how it is signed; delivery to a partner that
 * acknowledges, that only takes the bytes, that refuses, that is down (the
 * documents wait, in order, and none is lost), and failure after the
 * configured age. The partner is a small libmicrohttpd receiver in the test.
 */
#include "exchange/outbox.h"

#include "base/log.h"
#include "exchange/jcs.h"
#include "store/migrate.h"

#include "support/server.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/caravan-outbox-XXXXXX";
static struct store *store;
static struct store_conn *conn;
static struct exchange_node *node;
static char partner_id[CV_UUID_STR];
static int port;

/*
 * What the receiver answers, and what it got. ACKNOWLEDGE, BARE_OK and
 * REFUSE answer every document (a batch's with one receipt each, as
 * caravan does); OLD_RECEIVER refuses a batch as a receiver that does not
 * know them does (422: no id); REFUSE_SECOND refuses the second document
 * of a batch and skips the rest (an ordered batch); DOWN_FOR_BATCHES
 * answers a batch 503.
 */
enum answer { ACKNOWLEDGE, BARE_OK, REFUSE, OLD_RECEIVER, REFUSE_SECOND, DOWN_FOR_BATCHES };
static struct {
	pthread_mutex_t lock;
	enum answer answer;
	int count, posts, batches;
	char ids[64][64];
} got = {PTHREAD_MUTEX_INITIALIZER};

static void setup(void)
{
	struct cv_config config;
	char url[128], key[160], endpoint[64];
	struct cv_error err;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_store_make(dir, &store, &conn, 1);
	cv_config_defaults(&config);
	snprintf(url, sizeof(url), "sqlite:%s/test.db", dir);
	snprintf(config.db, sizeof(config.db), "%s", url);
	snprintf(config.public_url, sizeof(config.public_url), "https://customs.kz");
	snprintf(key, sizeof(key), "%s/test.key", dir); /* beside the database */
	cr_assert_eq(exchange_node_key_create(key, &err), CV_OK, "%s", err.message);
	cr_assert_eq(exchange_node_open(&config, &node, &err), CV_OK, "%s", err.message);
	port = test_free_port();
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", port);
	test_store_partner(conn, "UZ", "did:web:customs.uz", endpoint,
			   "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "{}", partner_id);
}

static void teardown(void)
{
	exchange_node_free(node);
	curl_global_cleanup();
	test_store_remove(store, dir);
}

TestSuite(outbox, .init = setup, .fini = teardown, .timeout = 120);

struct upload {
	char *body;
	size_t len;
};

/* Note a document's id as received. */
static void got_id(const json_t *doc)
{
	if (got.count < 64)
		snprintf(got.ids[got.count++], 64, "%s",
			 json_string_value(json_object_get(doc, "id")));
}

/* The answer to a batch (documents, an array): status and body. */
static int answer_batch(const json_t *documents, char **answer)
{
	json_t *receipts, *doc;
	size_t i;
	char *text;

	if (got.answer == OLD_RECEIVER || got.answer == DOWN_FOR_BATCHES) {
		*answer = strdup(got.answer == OLD_RECEIVER
					 ? "{\"status\": 422, \"detail\": \"the document has no id\"}"
					 : "{\"status\": 503, \"detail\": \"try later\"}");
		return got.answer == OLD_RECEIVER ? 422 : 503;
	}
	receipts = json_array();
	json_array_foreach(documents, i, doc) {
		const char *id = json_string_value(json_object_get(doc, "id"));

		if (got.answer == REFUSE_SECOND && i == 1) {
			json_array_append_new(receipts,
					      json_pack("{s:b, s:s, s:{s:i, s:s, s:s}}",
							"acknowledged", 0, "id", id, "problem",
							"status", 422, "reason", "rejected",
							"detail", "not this one"));
		} else if (got.answer == REFUSE_SECOND && i > 1) {
			json_array_append_new(receipts, json_pack("{s:b, s:s, s:b}", "acknowledged",
								  0, "id", id, "skipped", 1));
		} else {
			got_id(doc);
			json_array_append_new(receipts,
					      json_pack("{s:b, s:s}", "acknowledged", 1, "id", id));
		}
	}
	doc = json_pack("{s:o}", "receipts", receipts);
	text = json_dumps(doc, 0);
	json_decref(doc);
	*answer = text;
	return 200;
}

/* The acknowledgement of one document (free it). */
static char *receipt_of(const json_t *doc)
{
	json_t *receipt = json_pack("{s:b, s:s?}", "acknowledged", 1, "id",
				    json_string_value(json_object_get(doc, "id")));
	char *text = json_dumps(receipt, 0);

	json_decref(receipt);
	return text;
}

static enum MHD_Result receive(void *ctx, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **state)
{
	struct upload *u = *state;
	struct MHD_Response *r;
	enum MHD_Result ok;
	char *answer;
	json_t *doc;
	int status = 200;

	(void)ctx;
	(void)url;
	(void)method;
	(void)version;
	if (!u) {
		*state = calloc(1, sizeof(*u));
		return MHD_YES;
	}
	if (*size) {
		u->body = realloc(u->body, u->len + *size + 1);
		memcpy(u->body + u->len, data, *size);
		u->len += *size;
		u->body[u->len] = 0;
		*size = 0;
		return MHD_YES;
	}
	doc = json_loads(u->body ? u->body : "", 0, NULL);
	pthread_mutex_lock(&got.lock);
	got.posts++;
	if (json_is_array(json_object_get(doc, "documents")) &&
	    (got.answer == ACKNOWLEDGE || got.answer >= OLD_RECEIVER)) {
		got.batches++;
		status = answer_batch(json_object_get(doc, "documents"), &answer);
	} else {
		got_id(doc);
		if (got.answer == BARE_OK)
			answer = strdup("ok");
		else if (got.answer == REFUSE)
			answer = strdup("{\"status\": 403, \"detail\": \"unknown sender\"}");
		else
			answer = receipt_of(doc);
		if (got.answer == REFUSE)
			status = 403;
	}
	pthread_mutex_unlock(&got.lock);
	json_decref(doc);
	free(u->body);
	free(u);
	*state = NULL;
	r = MHD_create_response_from_buffer(strlen(answer), answer, MHD_RESPMEM_MUST_FREE);
	ok = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

static struct MHD_Daemon *partner_up(enum answer answer)
{
	struct MHD_Daemon *d;

	got.answer = answer;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, receive,
			     NULL, MHD_OPTION_END);
	cr_assert_not_null(d);
	return d;
}

/* A document of type ExchangeTest, with an id when id is not NULL. */
static json_t *document(const char *id)
{
	json_t *d = json_pack("{s:[s], s:[s, s], s:{s:s}}", "@context",
			      "https://www.w3.org/ns/credentials/v2", "type", "VerifiableCredential",
			      "ExchangeTest", "credentialSubject", "hello", "UZ");

	if (id)
		json_object_set_new(d, "id", json_string(id));
	return d;
}

static int queue(const char *partner, const char *kind, json_t *doc, char id[CV_UUID_STR],
		 struct cv_error *err)
{
	int rc;

	cr_assert_eq(store_begin(conn), 0);
	rc = exchange_outbox_queue(conn, node, partner, kind, doc, id, err);
	if (rc)
		store_rollback(conn);
	else
		cr_assert_eq(store_commit(conn), 0);
	json_decref(doc);
	return rc;
}

static const char *column(const char *sql, const char *id, char *out, size_t size)
{
	struct store_stmt *stmt;

	cr_assert_eq(store_query_row(conn, &stmt, sql, "t", id), CV_OK, "%s", sql);
	snprintf(out, size, "%s", store_col_text(stmt, 0));
	store_finish(stmt);
	return out;
}

static const struct exchange_delivery_policy policy = {1, 3600, 2000, NULL, NULL};

static void deliver(struct exchange_delivery_counts *counts)
{
	cr_assert_eq(exchange_outbox_deliver(conn, &policy, counts), CV_OK);
}

Test(outbox, a_queued_document_is_signed_by_the_node_and_stays_in_the_transaction)
{
	struct cv_error err;
	char id[CV_UUID_STR], body[4096];
	json_t *stored, *did_document;
	const json_t *docs[1];
	struct exchange_did_documents set = {docs, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};

	cr_assert_eq(queue(partner_id, "ExchangeTest", document(NULL), id, &err), CV_OK, "%s",
		     err.message);
	column("SELECT body FROM exchange_outbox WHERE id = $1", id, body, sizeof(body));
	cr_assert_eq(exchange_jcs_parse(body, strlen(body), NULL, &stored, NULL), CV_OK);
	cr_assert(!strncmp(json_string_value(json_object_get(stored, "id")), "urn:uuid:", 9));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(stored, "proof"),
							   "verificationMethod")),
			 "did:web:customs.kz#key-1");
	cr_assert_eq(exchange_node_did_document(node, &did_document), CV_OK);
	docs[0] = did_document;
	cr_assert_eq(exchange_credential_verify_with(stored, &resolver, &err), CV_OK, "%s",
		     err.message);
	json_decref(did_document);
	json_decref(stored);

	/* Rolled back with the change that caused it: nothing left to send. */
	stored = document("urn:uuid:rolled-back");
	cr_assert_eq(store_begin(conn), 0);
	cr_assert_eq(exchange_outbox_queue(conn, node, partner_id, "ExchangeTest", stored, NULL,
					   &err),
		     CV_OK);
	store_rollback(conn);
	json_decref(stored);
	column("SELECT COUNT(*) FROM exchange_outbox WHERE document_id = $1",
	       "urn:uuid:rolled-back", body, sizeof(body));
	cr_assert_str_eq(body, "0");
}

Test(outbox, what_cannot_be_sent_is_named)
{
	struct cv_error err;
	json_t *signed_doc = document("urn:uuid:s");

	cr_assert_eq(queue(partner_id, "Nonsense", document(NULL), NULL, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "kind");
	cr_assert_eq(queue(partner_id, "bad kind", document(NULL), NULL, &err), CV_EINVAL);
	cr_assert_eq(queue(partner_id, "ExchangeTest", json_pack("[1]"), NULL, &err), CV_EINVAL);
	json_object_set_new(signed_doc, "proof", json_object());
	cr_assert_eq(queue(partner_id, "ExchangeTest", signed_doc, NULL, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "proof");
	cr_assert_eq(queue("no-such-partner", "ExchangeTest", document(NULL), NULL, &err),
		     CV_ENOTFOUND);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:twice"), NULL, &err),
		     CV_OK);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:twice"), NULL, &err),
		     CV_ECONFLICT);
	cr_assert(strstr(err.message, "queued for did:web:customs.uz already"), "%s", err.message);
	{
		json_t *doc = document(NULL);

		cr_assert_eq(store_begin(conn), 0);
		cr_assert_eq(exchange_outbox_queue(conn, NULL, partner_id, "ExchangeTest", doc,
						   NULL, &err),
			     CV_EUNSUPPORTED);
		store_rollback(conn);
		json_decref(doc);
	}
	cr_assert_eq(store_execf(conn, NULL, "UPDATE exchange_partners SET status = 'inactive'", ""),
		     0);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document(NULL), NULL, &err), CV_ECONFLICT);
	cr_assert(strstr(err.message, "inactive"), "%s", err.message);
}

Test(outbox, an_acknowledging_partner_gets_each_document_once_in_order)
{
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner = partner_up(ACKNOWLEDGE);
	char state[32];
	char ids[3][CV_UUID_STR];

	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:a"), ids[0], NULL), CV_OK);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:b"), ids[1], NULL), CV_OK);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:c"), ids[2], NULL), CV_OK);
	deliver(&counts);
	cr_assert_eq(counts.acknowledged, 3);
	cr_assert_eq(got.count, 3);
	cr_assert_str_eq(got.ids[0], "urn:uuid:a");
	cr_assert_str_eq(got.ids[2], "urn:uuid:c");
	for (int i = 0; i < 3; i++)
		cr_assert_str_eq(column("SELECT state FROM exchange_outbox WHERE id = $1", ids[i],
					state, sizeof(state)),
				 "acknowledged");
	deliver(&counts);
	cr_assert_eq(counts.attempted, 0, "nothing is sent twice");
	MHD_stop_daemon(partner);
}

Test(outbox, a_bare_2xx_is_delivered_a_refusal_is_retried_with_its_reason)
{
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner = partner_up(BARE_OK);
	char state[32], error[256], id[CV_UUID_STR];

	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:d"), id, NULL), CV_OK);
	deliver(&counts);
	cr_assert_eq(counts.delivered, 1);
	cr_assert_str_eq(column("SELECT state FROM exchange_outbox WHERE id = $1", id, state,
				sizeof(state)),
			 "delivered");
	got.answer = REFUSE;
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:e"), id, NULL), CV_OK);
	deliver(&counts);
	cr_assert_eq(counts.retrying, 1);
	cr_assert_str_eq(column("SELECT state FROM exchange_outbox WHERE id = $1", id, state,
				sizeof(state)),
			 "pending");
	cr_assert_str_eq(column("SELECT last_error FROM exchange_outbox WHERE id = $1", id, error,
				sizeof(error)),
			 "the partner answered 403: unknown sender");
	MHD_stop_daemon(partner);
}

Test(outbox, while_the_partner_is_down_documents_wait_in_order_and_none_is_lost)
{
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner;
	char state[32], error[256], ids[2][CV_UUID_STR];

	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:f"), ids[0], NULL), CV_OK);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:g"), ids[1], NULL), CV_OK);
	deliver(&counts);
	cr_assert_eq(counts.attempted, 1, "the second waits behind the first");
	cr_assert_eq(counts.retrying, 1);
	cr_assert_neq(column("SELECT last_error FROM exchange_outbox WHERE id = $1", ids[0], error,
			     sizeof(error))[0],
		      '\0');
	deliver(&counts);
	cr_assert_eq(counts.attempted, 0, "not before the next attempt is due (1 s)");

	partner = partner_up(ACKNOWLEDGE);
	usleep(1100 * 1000);
	deliver(&counts);
	cr_assert_eq(counts.acknowledged, 2, "attempted %zu", counts.attempted);
	cr_assert_eq(got.count, 2);
	cr_assert_str_eq(got.ids[0], "urn:uuid:f");
	cr_assert_str_eq(got.ids[1], "urn:uuid:g");
	cr_assert_str_eq(column("SELECT attempts FROM exchange_outbox WHERE id = $1", ids[0], state,
				sizeof(state)),
			 "2");
	MHD_stop_daemon(partner);
}

Test(outbox, a_document_not_taken_in_time_is_failed_and_holds_nothing_back)
{
	static const struct exchange_delivery_policy impatient = {1, 1, 2000, NULL, NULL};
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner;
	char state[32], error[256], ids[2][CV_UUID_STR];

	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:h"), ids[0], NULL), CV_OK);
	cr_assert_eq(exchange_outbox_deliver(conn, &impatient, &counts), CV_OK);
	cr_assert_eq(counts.retrying, 1);
	usleep(1100 * 1000);
	cr_assert_eq(queue(partner_id, "ExchangeTest", document("urn:uuid:i"), ids[1], NULL), CV_OK);
	partner = partner_up(ACKNOWLEDGE);
	cr_assert_eq(exchange_outbox_deliver(conn, &impatient, &counts), CV_OK);
	cr_assert_eq(counts.failed, 1);
	cr_assert_eq(counts.acknowledged, 1);
	cr_assert_str_eq(column("SELECT state FROM exchange_outbox WHERE id = $1", ids[0], state,
				sizeof(state)),
			 "failed");
	cr_assert(strstr(column("SELECT last_error FROM exchange_outbox WHERE id = $1", ids[0],
				error, sizeof(error)),
			 "gave up"),
		  "%s", error);
	cr_assert_str_eq(got.ids[0], "urn:uuid:i");
	MHD_stop_daemon(partner);
}

/* The states of the documents ids, n of them, joined by spaces. */
static const char *states(char ids[][CV_UUID_STR], int n, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		char state[32];

		column("SELECT state FROM exchange_outbox WHERE id = $1", ids[i], state,
		       sizeof(state));
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "", state);
	}
	return out;
}

Test(outbox, a_partner_that_takes_batches_gets_them_in_order_one_receipt_each)
{
	static const struct exchange_delivery_policy pairs = {1, 3600, 2000, NULL, NULL, 2, NULL};
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner = partner_up(ACKNOWLEDGE);
	char ids[5][CV_UUID_STR], id[32], out[256];

	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "urn:uuid:batch-%d", i);
		cr_assert_eq(queue(partner_id, "ExchangeTest", document(id), ids[i], NULL), CV_OK);
	}
	cr_assert_eq(exchange_outbox_deliver(conn, &pairs, &counts), CV_OK);
	cr_assert_eq(counts.acknowledged, 5);
	cr_assert_eq(counts.posts, 3, "two, two and one: %zu", counts.posts);
	cr_assert_eq(got.batches, 2);
	cr_assert_eq(got.count, 5);
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "urn:uuid:batch-%d", i);
		cr_assert_str_eq(got.ids[i], id, "in order");
	}
	cr_assert_str_eq(states(ids, 5, out, sizeof(out)),
			 "acknowledged acknowledged acknowledged acknowledged acknowledged");
	deliver(&counts);
	cr_assert_eq(counts.attempted, 0, "nothing is sent twice");
	MHD_stop_daemon(partner);
}

Test(outbox, a_refusal_in_a_batch_is_retried_with_its_reason_and_holds_the_later_ones)
{
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner = partner_up(REFUSE_SECOND);
	char ids[4][CV_UUID_STR], id[32], out[256], error[256];

	for (int i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "urn:uuid:held-%d", i);
		cr_assert_eq(queue(partner_id, "ExchangeTest", document(id), ids[i], NULL), CV_OK);
	}
	deliver(&counts);
	cr_assert_eq(counts.posts, 1);
	cr_assert_eq(counts.acknowledged, 1);
	cr_assert_eq(counts.attempted, 2, "the skipped ones were not attempted");
	cr_assert_eq(counts.retrying, 1);
	cr_assert_str_eq(states(ids, 4, out, sizeof(out)), "acknowledged pending pending pending");
	cr_assert_str_eq(column("SELECT last_error FROM exchange_outbox WHERE id = $1", ids[1],
				error, sizeof(error)),
			 "the partner answered 422: not this one");
	cr_assert_str_eq(column("SELECT attempts FROM exchange_outbox WHERE id = $1", ids[1], error,
				sizeof(error)),
			 "1");
	cr_assert_str_eq(column("SELECT attempts FROM exchange_outbox WHERE id = $1", ids[2], error,
				sizeof(error)),
			 "0");
	deliver(&counts);
	cr_assert_eq(counts.attempted, 0,
		     "the refused one waits for its next attempt, the rest behind");

	got.answer = ACKNOWLEDGE;
	usleep(1100 * 1000);
	deliver(&counts);
	cr_assert_eq(counts.acknowledged, 3);
	cr_assert_str_eq(states(ids, 4, out, sizeof(out)),
			 "acknowledged acknowledged acknowledged acknowledged");
	cr_assert_str_eq(got.ids[1], "urn:uuid:held-1", "after the first, in order");
	cr_assert_str_eq(got.ids[3], "urn:uuid:held-3");
	MHD_stop_daemon(partner);
}

Test(outbox, a_partner_that_does_not_take_batches_gets_one_document_per_post)
{
	struct exchange_delivery_memory memory;
	struct exchange_delivery_policy remembering = {1, 3600, 2000, NULL, NULL, 0, &memory};
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner = partner_up(OLD_RECEIVER);
	char ids[5][CV_UUID_STR], id[32], out[256];

	memset(&memory, 0, sizeof(memory));
	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "urn:uuid:old-%d", i);
		cr_assert_eq(queue(partner_id, "ExchangeTest", document(id), ids[i], NULL), CV_OK);
	}
	cr_assert_eq(exchange_outbox_deliver(conn, &remembering, &counts), CV_OK);
	cr_assert_eq(counts.posts, 4, "the refused batch, then one by one");
	cr_assert_eq(counts.acknowledged, 3);
	cr_assert_eq(counts.retrying, 0, "a batch not taken is no failed attempt");
	cr_assert_str_eq(states(ids, 3, out, sizeof(out)), "acknowledged acknowledged acknowledged");
	cr_assert_str_eq(column("SELECT attempts FROM exchange_outbox WHERE id = $1", ids[0], out,
				sizeof(out)),
			 "1");
	cr_assert_str_eq(got.ids[0], "urn:uuid:old-0");
	cr_assert_str_eq(got.ids[2], "urn:uuid:old-2");

	/* Remembered: the next round sends no batch. */
	for (int i = 3; i < 5; i++) {
		snprintf(id, sizeof(id), "urn:uuid:old-%d", i);
		cr_assert_eq(queue(partner_id, "ExchangeTest", document(id), ids[i], NULL), CV_OK);
	}
	cr_assert_eq(exchange_outbox_deliver(conn, &remembering, &counts), CV_OK);
	cr_assert_eq(counts.posts, 2);
	cr_assert_eq(counts.acknowledged, 2);
	cr_assert_eq(got.batches, 1);
	MHD_stop_daemon(partner);
}

Test(outbox, a_batch_without_an_answer_is_a_failed_attempt_of_its_first_document)
{
	struct exchange_delivery_counts counts;
	struct MHD_Daemon *partner = partner_up(DOWN_FOR_BATCHES);
	char ids[3][CV_UUID_STR], id[32], out[256];

	for (int i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "urn:uuid:5xx-%d", i);
		cr_assert_eq(queue(partner_id, "ExchangeTest", document(id), ids[i], NULL), CV_OK);
	}
	deliver(&counts);
	cr_assert_eq(counts.posts, 1);
	cr_assert_eq(counts.attempted, 1);
	cr_assert_eq(counts.retrying, 1);
	cr_assert_str_eq(column("SELECT last_error FROM exchange_outbox WHERE id = $1", ids[0], out,
				sizeof(out)),
			 "the partner answered 503: try later");
	cr_assert_str_eq(column("SELECT attempts FROM exchange_outbox WHERE id = $1", ids[1], out,
				sizeof(out)),
			 "0");
	got.answer = ACKNOWLEDGE;
	usleep(1100 * 1000);
	deliver(&counts);
	cr_assert_eq(counts.acknowledged, 3);
	cr_assert_eq(got.count, 3, "each once");
	MHD_stop_daemon(partner);
}
