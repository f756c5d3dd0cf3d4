/*
 * test_authorizations.c — after the grant: suspension with a remedy period,
 * lifting, revocation and its reapplication bar, the revocation worklist,
 * and public verification for each status.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct test_server srv;
static char number[64], auth_id[64];

/* A JSON request to this suite's server as a demo user (support/server.h). */
#define call(...) test_call(&srv, __VA_ARGS__)

/* Start a server and take the demo trader from application to authorization. */
static void start(void)
{
	test_server_start(&srv, (const char *[]){"--public-rate-per-minute", "5", NULL});
	test_grant(&srv, "AEOF", number, auth_id);
}

static void stop(void) { test_server_stop(&srv); }

TestSuite(authorizations, .init = start, .fini = stop, .timeout = 120);

static long change(const char *user, const char *body, struct test_response *out)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/authorizations/%s/transitions", auth_id);
	return call(user, "POST", path, body, out);
}

static const char *public_status(void)
{
	static char status[16];
	struct test_response r;
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/public/aeo/%s", number);
	cr_assert_eq(call(NULL, "GET", path, NULL, &r), 200, "%s", r.body);
	snprintf(status, sizeof(status), "%s", json_string_value(json_object_get(r.json, "status")));
	cr_assert_null(json_object_get(r.json, "operator_id"),
		       "no private data in the public answer");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "operator_name")),
			 "Steppe Trading LLP");
	test_response_free(&r);
	return status;
}

Test(authorizations, the_authorization_carries_the_benefits_of_its_type)
{
	struct test_response r;
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/authorizations/%s", number);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "valid");
	cr_assert_eq(json_array_size(json_object_get(r.json, "benefits")), 6,
		     "AEOF gets every benefit: %s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/authorizations", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1);
	test_response_free(&r);
	cr_assert_str_eq(public_status(), "valid");
}

Test(authorizations, suspension_then_measures_then_lift)
{
	struct test_response r;
	char path[160];

	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"suspend\",\"ground\":\"conditions_not_met\","
			    "\"reason\":\"access control at the Almaty warehouse failed the audit\",\"remedy_days\":20}",
			    &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "suspended");
	cr_assert(json_object_get(json_object_get(r.json, "suspension"), "remedy_until"));
	test_response_free(&r);
	cr_assert_str_eq(public_status(), "suspended");
	snprintf(path, sizeof(path), "/api/v1/authorizations/%s/measures", auth_id);
	cr_assert_eq(call("trader", "POST", path,
			  "{\"measures\":\"badge readers installed by 15 December\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "suspension"),
							   "measures")),
			 "badge readers installed by 15 December");
	test_response_free(&r);
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"lift\",\"reason\":\"remedied, checked on site\"}", NULL),
		     200);
	cr_assert_str_eq(public_status(), "valid");
	cr_assert_eq(call("trader", "POST", path, "{\"measures\":\"more\"}", NULL), 409,
		     "no suspension to remedy any more");
}

Test(authorizations, an_unremedied_suspension_reaches_the_worklist_then_revocation_bars_reapplying)
{
	struct test_response r;
	char effective[16], bar_end[16], body[256];

	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"suspend\",\"ground\":\"conditions_not_met\",\"reason\":\"solvency\"}",
			    NULL),
		     200);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/authorizations/worklist", NULL, &r), 200);
	cr_assert_null(strstr(r.body, number), "the remedy period runs: %s", r.body);
	test_response_free(&r);
	{
		char cmd[512];
		snprintf(cmd, sizeof(cmd),
			 "sqlite3 '%s' \"UPDATE aeo_suspensions SET remedy_until = '2026-01-01' WHERE authorization_id = '%s'\"",
			 srv.db_path, auth_id);
		cr_assert_eq(system(cmd), 0);
	}
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/authorizations/worklist", NULL, &r), 200);
	cr_assert(strstr(r.body, number), "the remedy period is over: %s", r.body);
	test_response_free(&r);
	/* Effective a week ago (not on a 29 February, so that the bar's end is plain). */
	{
		time_t week_ago = time(NULL) - 7 * 86400;
		struct tm tm;
		gmtime_r(&week_ago, &tm);
		if (tm.tm_mon == 1 && tm.tm_mday == 29)
			tm.tm_mday = 28;
		snprintf(effective, sizeof(effective), "%04d-%02d-%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday);
		snprintf(bar_end, sizeof(bar_end), "%04d-%02d-%02d", tm.tm_year + 1903,
			 tm.tm_mon + 1, tm.tm_mday);
		snprintf(body, sizeof(body),
			 "{\"action\":\"revoke\",\"ground\":\"unremedied_suspension\","
			 "\"reason\":\"no remedy within the period\",\"effective_on\":\"%s\"}",
			 effective);
	}
	cr_assert_eq(change("aeo.officer", body, &r), 200, "%s", r.body);
	test_response_free(&r);
	cr_assert_str_eq(public_status(), "revoked");
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/authorizations/worklist", NULL, &r), 200);
	cr_assert_null(strstr(r.body, number), "revoked: off the worklist: %s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOC\"}", &r), 409);
	cr_assert(strstr(r.body, bar_end), "the bar ends three years after the effective date: %s",
		  r.body);
	test_response_free(&r);
}

Test(authorizations, revocation_at_the_holders_request_does_not_bar_reapplying)
{
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"revoke\",\"ground\":\"holder_request\",\"reason\":\"business sold\"}",
			    NULL),
		     200);
	cr_assert_eq(call("trader", "POST", "/api/v1/applications", "{\"type\":\"AEOC\"}", NULL),
		     201);
}

Test(authorizations, illegal_changes_are_refused)
{
	struct test_response r;

	cr_assert_eq(change("aeo.officer", "{\"action\":\"lift\",\"reason\":\"x\"}", &r), 409);
	cr_assert(strstr(r.body, "valid") && strstr(r.body, "allowed"), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"suspend\",\"ground\":\"bad_mood\",\"reason\":\"x\"}",
			    NULL),
		     422);
	cr_assert_eq(change("aeo.officer", "{\"action\":\"suspend\",\"ground\":\"holder_request\"}",
			    NULL),
		     422);
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"suspend\",\"ground\":\"holder_request\",\"reason\":\"x\",\"remedy_days\":400}",
			    NULL),
		     422);
	cr_assert_eq(change("aeo.officer", "{\"action\":\"explode\"}", NULL), 422);
	cr_assert_eq(change("trader", "{\"action\":\"expire\"}", NULL), 403);
	cr_assert_eq(change("border.officer", "{\"action\":\"expire\"}", NULL), 403);
	cr_assert_eq(change("aeo.officer", "{\"action\":\"expire\"}", NULL), 200);
	cr_assert_str_eq(public_status(), "expired");
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"revoke\",\"ground\":\"for_cause\",\"reason\":\"x\"}", &r),
		     409);
	cr_assert(strstr(r.body, "ended"), "%s", r.body);
	test_response_free(&r);
}

Test(authorizations, public_verification_is_rate_limited_and_unknown_numbers_are_404)
{
	struct test_response r;
	int limited = 0;

	cr_assert_eq(call(NULL, "GET", "/api/v1/public/aeo/KZAEOF9999999999", NULL, NULL), 404);
	for (int i = 0; i < 8; i++) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/public/aeo/%s", number);
		if (call(NULL, "GET", path, NULL, &r) == 429) {
			char *retry = test_header(&r, "Retry-After");
			cr_assert(retry && atoi(retry) >= 1);
			free(retry);
			limited = 1;
		}
		test_response_free(&r);
	}
	cr_assert(limited, "more than 5 lookups a minute must be refused");
}

Test(authorizations, a_trader_sees_no_other_operators_authorization)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/authorizations/%s", auth_id);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, NULL), 200);
	cr_assert_eq(call("partner.uz", "GET", path, NULL, NULL), 403);
	{
		char cmd[512];
		/* Hand the authorization to another operator: the demo trader loses sight of it. */
		snprintf(cmd, sizeof(cmd),
			 "sqlite3 '%s' \"UPDATE aeo_authorizations SET operator_id = (SELECT id FROM operators WHERE tin = 'KZ987654321098')\"",
			 srv.db_path);
		cr_assert_eq(system(cmd), 0);
	}
	cr_assert_eq(call("trader", "GET", path, NULL, NULL), 404);
}

Test(authorizations, certificate_is_a_pdf_whose_qr_code_gives_the_verification_url)
{
	struct test_response r;
	char path[160], file[] = "/tmp/caravan-cert-XXXXXX", cmd[512], decoded[512] = "";
	FILE *f, *p;
	int fd;

	snprintf(path, sizeof(path), "/api/v1/authorizations/%s/certificate.pdf", number);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert(strncmp(r.body, "%PDF", 4) == 0, "not a PDF");
	fd = mkstemp(file);
	cr_assert(fd >= 0);
	f = fdopen(fd, "wb");
	/* The body is binary: curl collected it whole; write it as received. */
	{
		char *length = test_header(&r, "Content-Length");
		fwrite(r.body, 1, (size_t)atol(length), f);
		free(length);
	}
	fclose(f);
	test_response_free(&r);
	if (system("command -v pdftoppm >/dev/null && command -v zbarimg >/dev/null") != 0) {
		unlink(file);
		cr_skip_test(
			"pdftoppm or zbarimg missing: the QR code is not decoded (scripts/install-deps installs them)");
	}
	snprintf(cmd, sizeof(cmd),
		 "pdftoppm -png -r 150 -singlefile %s %s && zbarimg --quiet --raw %s.png", file,
		 file, file);
	p = popen(cmd, "r");
	cr_assert(p);
	if (!fgets(decoded, sizeof(decoded), p))
		decoded[0] = '\0';
	pclose(p);
	snprintf(cmd, sizeof(cmd), "rm -f %s %s.png", file, file);
	cr_assert_eq(system(cmd), 0);
	cr_assert(strstr(decoded, "/api/v1/public/aeo/"), "QR decoded to: %s", decoded);
	cr_assert(strstr(decoded, number), "QR decoded to: %s", decoded);
	cr_assert_eq(call("partner.uz", "GET", path, NULL, NULL), 403);
}

Test(authorizations, revocation_cannot_take_effect_in_the_future_or_long_ago)
{
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"revoke\",\"ground\":\"for_cause\",\"reason\":\"x\","
			    "\"effective_on\":\"2999-01-01\"}",
			    NULL),
		     422);
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"revoke\",\"ground\":\"for_cause\",\"reason\":\"x\","
			    "\"effective_on\":\"2001-01-01\"}",
			    NULL),
		     422);
	cr_assert_eq(change("aeo.officer",
			    "{\"action\":\"suspend\",\"ground\":\"holder_request\",\"reason\":\"x\","
			    "\"effective_on\":\"2026-01-01\"}",
			    NULL),
		     422);
	cr_assert_str_eq(public_status(), "valid");
}

Test(authorizations, monitoring_lists_holders_whose_score_fell_and_audits_act_on_the_authorization)
{
	struct test_response r;
	char path[200], close[300], audit[64];

	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/aeo/monitoring", NULL, &r), 200);
	/* Silk Road Express (demo) holds a suspended AEOC and scores far below grade A. */
	cr_assert(strstr(r.body, "KZAEOC0000000002") && strstr(r.body, "below grade A"), "%s",
		  r.body);
	cr_assert_null(strstr(r.body, number),
		       "a fresh authorization of a compliant holder needs nothing: %s", r.body);
	test_response_free(&r);

	snprintf(path, sizeof(path), "/api/v1/authorizations/%s/audits", auth_id);
	cr_assert_eq(call("trader", "POST", path,
			  "{\"kind\":\"periodic\",\"planned_on\":\"2026-12-15\",\"reason\":\"x\"}",
			  NULL),
		     403);
	cr_assert_eq(call("aeo.officer", "POST", path,
			  "{\"kind\":\"yearly\",\"planned_on\":\"2026-12-15\",\"reason\":\"x\"}",
			  NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "POST", path,
			  "{\"kind\":\"triggered\",\"planned_on\":\"2026-12-15\",\"reason\":\"seizure reported by the border post\"}",
			  &r),
		     201, "%s", r.body);
	snprintf(audit, sizeof(audit), "%s", json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "POST", path,
			  "{\"kind\":\"periodic\",\"planned_on\":\"2026-12-20\",\"reason\":\"y\"}",
			  NULL),
		     409, "one planned audit at a time");
	snprintf(close, sizeof(close), "%s/%s", path, audit);
	cr_assert_eq(call("aeo.officer", "PATCH", close,
			  "{\"status\":\"done\",\"outcome\":\"maintained\"}", NULL),
		     422, "findings needed");
	cr_assert_eq(call("aeo.officer", "PATCH", close,
			  "{\"status\":\"cancelled\",\"outcome\":\"revoked\"}", NULL),
		     422);
	cr_assert_eq(call("aeo.officer", "PATCH", close,
			  "{\"status\":\"done\",\"findings\":\"goods under-declared twice\",\"outcome\":\"suspended\"}",
			  NULL),
		     422, "a suspension needs its ground and reason");
	cr_assert_eq(call("aeo.officer", "PATCH", close,
			  "{\"status\":\"done\",\"findings\":\"goods under-declared twice\",\"outcome\":\"suspended\","
			  "\"ground\":\"conditions_not_met\",\"reason\":\"record keeping to be remedied\"}",
			  &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "suspended");
	test_response_free(&r);
	cr_assert_str_eq(public_status(), "suspended");
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
						 "outcome")),
			 "suspended");
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "PATCH", close, "{\"status\":\"cancelled\"}", NULL), 404,
		     "already closed");
}
