/* test_audit.c — the audit chain over real writes, and tampering caught. */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }

TestSuite(audit, .init = start, .timeout = 120);

static void create_users(int n)
{
	const char *h[] = {"Content-Type: application/json", test_bearer("admin"), NULL};
	struct test_response r;
	char body[200];

	for (int i = 0; i < n; i++) {
		snprintf(body, sizeof(body),
			 "{\"username\":\"audited.%d\",\"password\":\"long-enough-pass\",\"role\":\"auditor\"}",
			 i);
		test_http(&srv, "POST", "/api/v1/users", h, body, &r);
		cr_assert_eq(r.status, 201, "%s", r.body);
		test_response_free(&r);
	}
}

Test(audit, every_write_leaves_an_audit_row_and_the_chain_verifies)
{
	const char *h[] = {test_bearer("auditor"), NULL};
	struct test_response r;
	char *out, args[512];
	int code;

	create_users(5);
	test_http(&srv, "GET", "/api/v1/audit/verify", h, NULL, &r);
	cr_assert_eq(r.status, 200);
	cr_assert(json_is_true(json_object_get(r.json, "intact")), "%s", r.body);
	test_response_free(&r);
	test_http(&srv, "GET", "/api/v1/audit?limit=1000", h, NULL, &r);
	cr_assert(strstr(r.body, "audited.4"), "the create of audited.4 is not in the log");
	test_response_free(&r);
	test_server_stop(&srv);

	snprintf(args, sizeof(args), "audit verify --db %s", srv.db_url);
	/* srv.dir was removed by stop: verify on a fresh server copy instead. */
	(void)args;
	(void)code;
	(void)out;
}

Test(audit, cli_verify_says_intact_then_names_the_tampered_row)
{
	char *out, cmd[1024], args[512];
	int code;

	create_users(3);
	snprintf(args, sizeof(args), "audit verify --db %s", srv.db_url);
	code = test_cli(args, NULL, &out);
	cr_assert_eq(code, 0, "%s", out);
	cr_assert(strstr(out, "intact"), "%s", out);
	free(out);

	/* Someone with write access to the file: drop the guard, edit a row. */
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' \"DROP TRIGGER audit_log_no_update; "
		 "UPDATE audit_log SET actor = 'mallory' WHERE seq = (SELECT MAX(seq) - 1 FROM audit_log);\"",
		 srv.db_path);
	cr_assert_eq(system(cmd), 0);
	code = test_cli(args, NULL, &out);
	cr_assert_eq(code, 1, "%s", out);
	cr_assert(strstr(out, "BROKEN at row"), "%s", out);
	cr_assert(strstr(out, "altered"), "%s", out);
	free(out);
	test_server_stop(&srv);
}

Test(audit, database_refuses_to_update_or_delete_audit_rows)
{
	char cmd[512];

	create_users(1);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"DELETE FROM audit_log\" 2>/dev/null",
		 srv.db_path);
	cr_assert_neq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' \"UPDATE audit_log SET actor = 'x'\" 2>/dev/null",
		 srv.db_path);
	cr_assert_neq(system(cmd), 0);
	test_server_stop(&srv);
}

Test(audit, removed_last_rows_are_detected)
{
	char *out, cmd[1024], args[512];
	int code;

	create_users(2);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 '%s' \"DROP TRIGGER audit_log_no_delete; "
		 "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log);\"",
		 srv.db_path);
	cr_assert_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "audit verify --db %s", srv.db_url);
	code = test_cli(args, NULL, &out);
	cr_assert_eq(code, 1, "%s", out);
	cr_assert(strstr(out, "missing"), "%s", out);
	free(out);
	test_server_stop(&srv);
}
