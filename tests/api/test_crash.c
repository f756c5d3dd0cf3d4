/*
 * test_crash.c — kill -9 the server while clients are lodging; after a
 * restart every declaration that was answered 201 is there, complete (items,
 * first version, the engine's decision, its timeline), and nothing
 * half-written exists: lodging is one transaction, committed durably before
 * the answer (SQLite WAL, synchronous=FULL). `make test-crash` runs this
 * suite alone; `make test` runs it with the rest.
 */
#include "support/server.h"

#include "store/db.h"

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(crash, .init = start, .fini = stop, .timeout = 120);

#define CLIENTS 4
#define MAX_ACCEPTED 4096

static const char phones[] =
	"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
	" \"importer\": \"KZ123456789012\", \"transport\": {\"mode\": \"3\"},"
	" \"items\": [{\"hs\": \"85171300\", \"description\": \"Smartphones\", \"origin\": \"CN\","
	" \"quantity\": 200, \"unit\": \"H87\", \"net_mass\": 52.5,"
	" \"value\": {\"amount\": 4000000, \"currency\": \"USD\"}}]}";

struct lodgers {
	pthread_mutex_t lock;
	int stop;
	char numbers[MAX_ACCEPTED][32];
	int accepted;
};

struct body {
	char data[8192];
	size_t len;
};

static size_t keep(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = size * n, room = sizeof(b->data) - 1 - b->len;

	memcpy(b->data + b->len, p, len < room ? len : room);
	b->len += len < room ? len : room;
	b->data[b->len] = 0;
	return len;
}

/* Lodge until told to stop; a refused connection (the server is dead) is not an error here. */
static void *lodge(void *arg)
{
	struct lodgers *l = arg;
	struct curl_slist *headers = NULL;
	char url[128];
	CURL *curl = curl_easy_init();

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/declarations", srv.port);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, test_bearer("trader"));
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, phones);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	for (;;) {
		struct body b = {.len = 0};
		long status = 0;
		json_t *d;

		pthread_mutex_lock(&l->lock);
		if (l->stop) {
			pthread_mutex_unlock(&l->lock);
			break;
		}
		pthread_mutex_unlock(&l->lock);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
		if (curl_easy_perform(curl) != CURLE_OK) {
			usleep(20 * 1000);
			continue;
		}
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (status != 201 || !(d = json_loads(b.data, 0, NULL)))
			continue;
		pthread_mutex_lock(&l->lock);
		if (l->accepted < MAX_ACCEPTED)
			snprintf(l->numbers[l->accepted++], 32, "%s",
				 json_string_value(json_object_get(d, "number")));
		pthread_mutex_unlock(&l->lock);
		json_decref(d);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return NULL;
}

static int64_t scalar(struct store_conn *conn, const char *sql)
{
	struct store_stmt *stmt;
	int64_t v;

	cr_assert_eq(store_query_row(conn, &stmt, sql, ""), 0, "%s", sql);
	v = store_col_int64(stmt, 0);
	store_finish(stmt);
	return v;
}

Test(crash, every_declaration_answered_201_survives_a_kill_9_whole)
{
	static struct lodgers l = {PTHREAD_MUTEX_INITIALIZER};
	pthread_t clients[CLIENTS];
	struct store *store;
	struct store_conn *conn;
	int accepted;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (int i = 0; i < CLIENTS; i++)
		pthread_create(&clients[i], NULL, lodge, &l);
	/* Let them lodge, then pull the plug in the middle of it. */
	for (int waited = 0; waited < 200; waited++) {
		pthread_mutex_lock(&l.lock);
		accepted = l.accepted;
		pthread_mutex_unlock(&l.lock);
		if (accepted >= 40)
			break;
		usleep(50 * 1000);
	}
	test_server_kill(&srv);
	pthread_mutex_lock(&l.lock);
	l.stop = 1;
	pthread_mutex_unlock(&l.lock);
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(clients[i], NULL);
	cr_assert_gt(l.accepted, 0, "clients lodged before the kill");

	test_server_restart(&srv);
	for (int i = 0; i < l.accepted; i++) {
		struct test_response r;
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/declarations/%s", l.numbers[i]);
		cr_assert_eq(test_call(&srv, "trader", "GET", path, NULL, &r), 200,
			     "%s answered 201 but is gone", l.numbers[i]);
		cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1);
		/* Decided in the same transaction: payment next, or an examination (random draw). */
		cr_assert(!strcmp(json_string_value(json_object_get(r.json, "status")),
				  "payment_required") ||
				  !strcmp(json_string_value(json_object_get(r.json, "status")),
					  "under_examination"),
			  "%s", r.body);
		cr_assert(json_is_string(json_object_get(r.json, "lane")), "decided: %s", r.body);
		test_response_free(&r);
	}
	/* Nothing half-written: every lodged declaration is whole. */
	cr_assert_eq(store_open(srv.db_url, &store, NULL), 0);
	cr_assert_eq(store_conn(store, &conn, NULL), 0);
	cr_assert_geq(scalar(conn, "SELECT COUNT(*) FROM declarations WHERE source = 'api'"),
		      l.accepted, "some committed just before the kill may have had no answer");
	cr_assert_eq(scalar(conn,
			    "SELECT COUNT(*) FROM declarations d WHERE d.source = 'api' AND"
			    " (NOT EXISTS (SELECT 1 FROM declaration_items i WHERE i.declaration_id = d.id)"
			    " OR NOT EXISTS (SELECT 1 FROM declaration_versions v WHERE v.declaration_id = d.id)"
			    " OR NOT EXISTS (SELECT 1 FROM risk_decisions r WHERE r.declaration_id = d.id)"
			    " OR (SELECT COUNT(*) FROM consignment_events e WHERE e.declaration_id = d.id) < 3"
			    " OR NOT EXISTS (SELECT 1 FROM notifications n WHERE n.declaration_id = d.id))"),
		     0);
	/* The demo's own traffic (lodged by cli:demo) is audited as one demo.single_window row. */
	cr_assert_eq(scalar(conn,
			    "SELECT COUNT(*) FROM audit_log WHERE action = 'declaration.lodge'"),
		     scalar(conn, "SELECT COUNT(*) FROM declarations WHERE source = 'api'"
				  " AND lodged_by <> 'cli:demo'"),
		     "each lodgement audited in its own transaction");
	store_close(store);
}
