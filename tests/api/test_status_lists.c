/*
 * test_status_lists.c — GET /api/v1/status-lists/{id} on a real server: a
 * public route, 404 for what is not a list, and for a list that exists a
 * BitstringStatusListCredential signed by the node's key (did:web, checked
 * against the node's own /.well-known/did.json) whose bit follows the
 * credential's status the moment it changes.
 */
#include "support/server.h"

#include "base/ids.h"
#include "exchange/did.h"
#include "exchange/issued.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(status_lists, .init = start, .fini = stop, .timeout = 120);

/* Open the server's database (the caller store_close()s it). */
static struct store_conn *server_db(struct store **store)
{
	struct store_conn *conn;
	struct cv_error err;

	cr_assert_eq(cv_ids_init(), 0);
	cv_error_clear(&err);
	cr_assert_eq(store_open(srv.db_url, store, &err), CV_OK, "%s", err.message);
	cr_assert_eq(store_conn(*store, &conn, &err), CV_OK, "%s", err.message);
	return conn;
}

/* Issue a credential straight into the server's database; its id and revocation list and index. */
static void issue_into_server(struct exchange_issued *out)
{
	struct exchange_issue req = {EXCHANGE_KIND_AEO_STATUS, "test-authorization", 1, 1};
	struct store *store;
	struct store_conn *conn = server_db(&store);
	struct cv_error err;

	cr_assert_eq(store_begin(conn), CV_OK);
	cr_assert_eq(exchange_issued_new(conn, &req, 1795000000000LL, out, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(store_commit(conn), CV_OK);
	store_close(store);
}

/* Fetch the list, check its proof against the node's DID document; return its bit at index. */
static int fetch_bit(const char *list_id, int64_t index)
{
	struct test_response did, r;
	const json_t *docs[1];
	struct exchange_did_documents set = {docs, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};
	struct exchange_status_list list = {0};
	struct cv_error err;
	char path[96];
	int bit;

	cr_assert_eq(test_call(&srv, NULL, "GET", "/.well-known/did.json", NULL, &did), 200);
	docs[0] = did.json;
	snprintf(path, sizeof(path), "/api/v1/status-lists/%s", list_id);
	cr_assert_eq(test_call(&srv, NULL, "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert_eq(exchange_credential_verify_with(r.json, &resolver, &err), CV_OK, "%s",
		     err.message);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "issuer")),
			 json_string_value(json_object_get(did.json, "id")));
	cr_assert_eq(exchange_status_list_decode(json_string_value(
							 json_object_get(json_object_get(r.json,
											 "credentialSubject"),
									 "encodedList")),
						 &list, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(exchange_status_list_get(&list, (uint64_t)index, &bit, &err), CV_OK);
	exchange_status_list_release(&list);
	test_response_free(&r);
	test_response_free(&did);
	return bit;
}

Test(status_lists, what_is_not_a_list_is_404_for_anyone)
{
	struct test_response r;

	cr_assert_eq(test_call(&srv, NULL, "GET", "/api/v1/status-lists/not-a-uuid", NULL, &r), 404,
		     "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "detail")),
			 "no status list has this id");
	test_response_free(&r);
	cr_assert_eq(test_call(&srv, NULL, "GET",
			       "/api/v1/status-lists/0190d8a8-4c52-7cc1-9a8e-5e2f1c0a7b11", NULL,
			       NULL),
		     404);
	cr_assert_eq(test_call(&srv, "trader", "GET",
			       "/api/v1/status-lists/0190d8a8-4c52-7cc1-9a8e-5e2f1c0a7b11", NULL,
			       NULL),
		     404, "credentials change nothing");
	cr_assert_eq(test_call(&srv, NULL, "GET", "/api/v1/status-lists/%27%3B--", NULL, NULL), 404);
	cr_assert_eq(test_call(&srv, NULL, "POST",
			       "/api/v1/status-lists/0190d8a8-4c52-7cc1-9a8e-5e2f1c0a7b11", "{}",
			       NULL),
		     405);
}

Test(status_lists, a_list_is_signed_by_the_node_and_shows_a_revocation_at_once)
{
	struct exchange_issued issued;
	struct store *store;
	struct store_conn *conn;
	struct cv_error err;

	issue_into_server(&issued);
	cr_assert_eq(fetch_bit(issued.revocation.list_id, issued.revocation.index), 0);
	conn = server_db(&store);
	cr_assert_eq(store_begin(conn), CV_OK);
	cr_assert_eq(exchange_issued_change(conn, issued.id, "revoke", 1795000001000LL, NULL, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(store_commit(conn), CV_OK);
	store_close(store);
	cr_assert_eq(fetch_bit(issued.revocation.list_id, issued.revocation.index), 1);
}
