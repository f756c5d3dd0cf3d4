/*
 * test_status_lists.c — GET /api/v1/status-lists/{id} on a real server: a
 * public route, 404 for what is not a list, and — until the node key of
 * branch exchange-net is connected (api/status_lists.c, node_signer) — 503
 * saying why for a list that exists. Once connected, the last test changes
 * to 200 with a list that verifies (tests/unit/test_issued.c signs one).
 */
#include "support/server.h"

#include "base/ids.h"
#include "exchange/issued.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(status_lists, .init = start, .fini = stop, .timeout = 120);

/* Issue a credential straight into the server's database; list_id receives its revocation list. */
static void issue_into_server(char list_id[CV_UUID_STR])
{
	struct exchange_issue req = {EXCHANGE_KIND_AEO_STATUS, "test-authorization", 1, 1};
	struct exchange_issued out;
	struct store *store;
	struct store_conn *conn;
	struct cv_error err;

	cr_assert_eq(cv_ids_init(), 0);
	cv_error_clear(&err);
	cr_assert_eq(store_open(srv.db_url, &store, &err), CV_OK, "%s", err.message);
	cr_assert_eq(store_conn(store, &conn, &err), CV_OK, "%s", err.message);
	cr_assert_eq(store_begin(conn), CV_OK);
	cr_assert_eq(exchange_issued_new(conn, &req, 1795000000000LL, &out, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(store_commit(conn), CV_OK);
	snprintf(list_id, CV_UUID_STR, "%s", out.revocation.list_id);
	store_close(store);
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

Test(status_lists, a_list_that_exists_says_the_node_cannot_sign_yet)
{
	char list_id[CV_UUID_STR], path[96];
	struct test_response r;

	issue_into_server(list_id);
	snprintf(path, sizeof(path), "/api/v1/status-lists/%s", list_id);
	cr_assert_eq(test_call(&srv, NULL, "GET", path, NULL, &r), 503, "%s", r.body);
	cr_assert(strstr(json_string_value(json_object_get(r.json, "detail")), "no signing key yet"),
		  "%s", r.body);
	test_response_free(&r);
}
