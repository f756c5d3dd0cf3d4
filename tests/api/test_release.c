/*
 * test_release.c — from lodgement to release: duties and taxes computed by
 * hand, electronic payment, arrival, the conditions of release, release
 * drawing the LPCO's quantity, exit; and what stops a release.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct test_server srv;

static void start(void)
{
	test_server_start(&srv, NULL);
	/* No random examinations at the office these tests use: each test names its lane. */
	cr_assert_eq(test_call(&srv, "risk.analyst", "PATCH", "/api/v1/risk/offices/KZ-KHO",
			       "{\"random_rate\": 0, \"random_rate_aeo\": 0}", NULL),
		     200);
}
static void stop(void) { test_server_stop(&srv); }

TestSuite(release, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)

/* 40,000.00 USD of phones: 18,800,000 KZT at the demo's 470. */
static const char phones[] =
	"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
	" \"importer\": \"KZ123456789012\", \"departure\": \"CN\", \"transport\": {\"mode\": \"3\"},"
	" \"items\": [{\"hs\": \"85171300\", \"description\": \"Smartphones\", \"origin\": \"CN\","
	" \"quantity\": 200, \"unit\": \"H87\", \"net_mass\": 52.5,"
	" \"value\": {\"amount\": 4000000, \"currency\": \"USD\"}},"
	" {\"hs\": \"080810\", \"description\": \"Apples\", \"origin\": \"KG\", \"quantity\": 100,"
	" \"unit\": \"KGM\", \"net_mass\": 100, \"value\": {\"amount\": 10000, \"currency\": \"USD\"},"
	" \"preference\": \"EAEU\", \"certificate_of_origin\": \"KG-CT1-2026-77\"}],"
	" \"documents\": [{\"type\": \"PHYTOSANITARY-CERTIFICATE\", \"reference\": \"none\"}]}";

static void lodge(const char *doc, char path[160])
{
	struct test_response r;

	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", doc, &r), 201, "%s", r.body);
	snprintf(path, 160, "/api/v1/declarations/%s",
		 json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
}

static long post(const char *user, const char *base, const char *what, const char *body,
		 struct test_response *r)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/%s", base, what);
	return call(user, "POST", path, body, r);
}

Test(release, duties_and_taxes_are_assessed_line_by_line_in_minor_units)
{
	struct test_response r;
	char path[160], assessment[200];
	json_t *lines;

	lodge(phones, path);
	snprintf(assessment, sizeof(assessment), "%s/assessment", path);
	cr_assert_eq(call("trader", "GET", assessment, NULL, &r), 200, "%s", r.body);
	lines = json_object_get(r.json, "lines");
	/* Phones: tariff 8517, duty 0 %; VAT 12 % of 1,880,000,000 tiyn. */
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(lines, 0), "customs_value")),
		     1880000000LL);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(lines, 0), "duty")), 0);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(lines, 0), "vat")),
		     225600000LL);
	/* Kyrgyz apples under the EAEU preference: 100 USD = 47,000.00 KZT, duty 0 instead of 10 %. */
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(lines, 1), "customs_value")),
		     4700000);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(lines, 1), "duty")), 0);
	cr_assert(strstr(json_string_value(json_object_get(json_array_get(lines, 1), "rate_source")),
			 "EAEU"));
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(lines, 1), "vat")), 564000);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "total")), 225600000LL + 564000);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "currency")), "KZT");
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "GET", assessment, NULL, NULL), 200);
	cr_assert_eq(call("pga.officer", "GET", assessment, NULL, NULL), 403);
}

Test(release, release_waits_for_payment_then_the_goods_go)
{
	static const char single[] =
		"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		" \"importer\": \"KZ123456789012\", \"departure\": \"CN\", \"transport\": {\"mode\": \"3\"},"
		" \"items\": [{\"hs\": \"85171300\", \"description\": \"Smartphones\", \"origin\": \"CN\","
		" \"quantity\": 200, \"unit\": \"H87\", \"net_mass\": 52.5,"
		" \"value\": {\"amount\": 4000000, \"currency\": \"USD\"}}]}";
	struct test_response r;
	char path[160];

	lodge(single, path);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "payment_required",
			 "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(post("border.officer", path, "release", NULL, &r), 409);
	cr_assert(strstr(r.body, "payment") && strstr(r.body, "225600000"), "%s", r.body);
	test_response_free(&r);
	/* Garbage payments are refused by field; the trader pays electronically. */
	cr_assert_eq(post("trader", path, "payments",
			  "{\"reference\": \"\", \"amount\": -5, \"method\": \"cash\"}", &r),
		     422);
	cr_assert(strstr(r.body, "\"reference\"") && strstr(r.body, "\"amount\"") &&
			  strstr(r.body, "\"method\""),
		  "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(post("trader", path, "payments",
			  "{\"reference\": \"KASPI-7781\", \"amount\": 225600000, \"method\": \"bank_transfer\"}",
			  &r),
		     201, "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "due")), 0);
	test_response_free(&r);
	cr_assert_eq(post("trader", path, "payments",
			  "{\"reference\": \"KASPI-7781\", \"amount\": 1, \"method\": \"card\"}",
			  NULL),
		     409, "a payment is recorded once");
	cr_assert_eq(post("trader", path, "release", NULL, NULL), 403, "customs releases");
	cr_assert_eq(post("border.officer", path, "exit", NULL, NULL), 409, "not released yet");
	cr_assert_eq(post("border.officer", path, "arrival", NULL, NULL), 200);
	cr_assert_eq(post("border.officer", path, "arrival", NULL, NULL), 409, "arrived once");
	cr_assert_eq(post("border.officer", path, "release", NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "released");
	test_response_free(&r);
	cr_assert_eq(post("border.officer", path, "release", NULL, NULL), 409);
	cr_assert_eq(post("border.officer", path, "exit", NULL, NULL), 200);
	cr_assert_eq(post("border.officer", path, "exit", NULL, NULL), 409, "the goods left once");
	cr_assert_eq(post("border.officer", "/api/v1/declarations/NO-SUCH", "release", NULL, &r),
		     404);
	cr_assert(strstr(r.body, "no declaration"), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/notifications", NULL, &r), 200);
	cr_assert(strstr(r.body, "payment_required") && strstr(r.body, "\"released\""), "%s",
		  r.body);
	test_response_free(&r);
}

Test(release, a_seizure_stops_the_release)
{
	static const char red[] =
		"{\"source\": \"profile PHONES \\\"phones\\\" when hs startswith \\\"8517\\\" then lane red end\\n\"}";
	static const char single[] =
		"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		" \"importer\": \"KZ123456789012\", \"departure\": \"CN\", \"transport\": {\"mode\": \"3\"},"
		" \"items\": [{\"hs\": \"85171300\", \"description\": \"Smartphones\", \"origin\": \"CN\","
		" \"quantity\": 200, \"unit\": \"H87\", \"net_mass\": 52.5,"
		" \"value\": {\"amount\": 100, \"currency\": \"KZT\"}}]}";
	struct test_response r;
	char path[160], results[200], exam[64];

	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles", red, &r), 201);
	snprintf(path, sizeof(path), "/api/v1/risk/profiles/%s/activate",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", path, NULL, NULL), 200);
	lodge(single, path);
	cr_assert(test_examination_for(&srv, "border.officer", strrchr(path, '/') + 1, exam));
	snprintf(results, sizeof(results), "/api/v1/examinations/%s/results", exam);
	cr_assert_eq(call("border.officer", "POST", results,
			  "{\"result\": \"seizure\", \"notes\": \"counterfeit\"}", NULL),
		     200);
	cr_assert_eq(post("trader", path, "payments",
			  "{\"reference\": \"P-1\", \"amount\": 100000, \"method\": \"card\"}", NULL),
		     201);
	cr_assert_eq(post("border.officer", path, "release", NULL, &r), 409);
	cr_assert(strstr(r.body, "seizure"), "%s", r.body);
	test_response_free(&r);
}

Test(release, release_draws_the_certificate_and_a_second_consignment_finds_the_rest)
{
	char application[512], decide[160], number[96], path[160], lpco[160], until[16], doc[2048];
	time_t t = time(NULL) + 60 * 86400;
	struct test_response r;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(until, sizeof(until), "%Y-%m-%d", &tm);
	snprintf(application, sizeof(application),
		 "{\"type\": \"PHYTOSANITARY-CERTIFICATE\", \"agency\": \"KZ-MOA\", \"valid_to\": \"%s\","
		 " \"lines\": [{\"hs\": \"0808\", \"description\": \"Apples\", \"quantity\": 20000,"
		 " \"unit\": \"KGM\"}]}",
		 until);
	cr_assert_eq(call("trader", "POST", "/api/v1/lpcos", application, &r), 201);
	snprintf(decide, sizeof(decide), "/api/v1/lpcos/%s/decision",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("pga.officer", "POST", decide, "{\"decision\": \"issue\"}", &r), 200);
	snprintf(number, sizeof(number), "%s", json_string_value(json_object_get(r.json, "number")));
	snprintf(lpco, sizeof(lpco), "/api/v1/lpcos/%s", number);
	test_response_free(&r);
	snprintf(doc, sizeof(doc),
		 "{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		 " \"importer\": \"KZ123456789012\", \"transport\": {\"mode\": \"3\"},"
		 " \"items\": [{\"hs\": \"080810\", \"description\": \"Apples\", \"origin\": \"CN\","
		 " \"quantity\": 12000, \"unit\": \"KGM\", \"net_mass\": 12000,"
		 " \"value\": {\"amount\": 960000, \"currency\": \"USD\"}},"
		 /* A mixed consignment: the certificate covers the apples, not the phones. */
		 " {\"hs\": \"85171300\", \"description\": \"Phones\", \"origin\": \"CN\","
		 " \"quantity\": 1, \"unit\": \"H87\", \"net_mass\": 0.2,"
		 " \"value\": {\"amount\": 10000, \"currency\": \"KZT\"}}],"
		 " \"documents\": [{\"type\": \"PHYTOSANITARY-CERTIFICATE\", \"reference\": \"%s\"}]}",
		 number);
	lodge(doc, path);
	/*
	 * The agriculture ministry inspects; then apples: duty 10 % and VAT 12 %,
	 * 104,678,400 tiyn; the phone: VAT 12 % of 10,000, 1,200.
	 */
	{
		char results[200], exam[64];
		cr_assert(test_examination_for(&srv, "pga.officer", strrchr(path, '/') + 1, exam));
		snprintf(results, sizeof(results), "/api/v1/examinations/%s/results", exam);
		cr_assert_eq(call("pga.officer", "POST", results, "{\"result\": \"clean\"}", NULL),
			     200);
	}
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "payment_required");
	test_response_free(&r);
	cr_assert_eq(post("trader", path, "payments",
			  "{\"reference\": \"HALYK-1\", \"amount\": 104679600, \"method\": \"card\"}",
			  &r),
		     201, "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "due")), 0, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(post("border.officer", path, "release", NULL, &r), 200, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", lpco, NULL, &r), 200);
	cr_assert_float_eq(json_real_value(
				   json_object_get(json_array_get(json_object_get(r.json, "lines"),
								  0),
						   "balance")),
			   8000, 1e-9, "20 t less the 12 t released");
	test_response_free(&r);
	/* A second 12 t consignment no longer fits: documents required, and no release. */
	lodge(doc, path);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "documents_required");
	test_response_free(&r);
	cr_assert_eq(post("border.officer", path, "release", NULL, &r), 409);
	cr_assert(strstr(r.body, "documents"), "%s", r.body);
	test_response_free(&r);
}

Test(release, an_export_owes_no_import_duty_or_vat)
{
	static const char fabric_out[] =
		"{\"direction\": \"export\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		" \"exporter\": \"KZ123456789012\", \"importer\": \"UZ305123456\", \"departure\": \"KZ\","
		" \"destination\": \"UZ\", \"transport\": {\"mode\": \"3\"},"
		" \"items\": [{\"hs\": \"52081100\", \"description\": \"Cotton fabric\", \"origin\": \"KZ\","
		" \"quantity\": 100, \"unit\": \"MTR\", \"net_mass\": 40,"
		" \"value\": {\"amount\": 1500000, \"currency\": \"USD\"}}]}";
	struct test_response r;
	char path[160], assessment[200];

	lodge(fabric_out, path);
	snprintf(assessment, sizeof(assessment), "%s/assessment", path);
	cr_assert_eq(call("trader", "GET", assessment, NULL, &r), 200, "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "total")), 0, "%s", r.body);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "lines"), 0),
						 "rate_source")),
			 "export: no import duty or VAT");
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_str_neq(json_string_value(json_object_get(r.json, "status")), "payment_required",
			  "%s", r.body);
	test_response_free(&r);
}

/* The assessment's line of item, from the declaration at path: its preference and duty. */
static json_t *line_of(const char *path, int item)
{
	char assessment[200];
	struct test_response r;
	json_t *line;

	snprintf(assessment, sizeof(assessment), "%s/assessment", path);
	cr_assert_eq(call("border.officer", "GET", assessment, NULL, &r), 200, "%s", r.body);
	line = json_incref(json_array_get(json_object_get(r.json, "lines"), (size_t)item - 1));
	test_response_free(&r);
	return line;
}

Test(release, a_released_declaration_keeps_the_preference_it_was_released_with)
{
	static const char cotton[] =
		"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		" \"importer\": \"KZ123456789012\", \"departure\": \"KG\", \"transport\": {\"mode\": \"3\"},"
		" \"items\": [{\"hs\": \"5201000000\", \"description\": \"Raw cotton\", \"origin\": \"KG\","
		" \"quantity\": 1000, \"unit\": \"KGM\", \"net_mass\": 1000,"
		" \"value\": {\"amount\": 150000, \"currency\": \"USD\"},"
		" \"preference\": \"EAEU\", \"certificate_of_origin\": \"KG-CT1-2026-78\"}]}";
	struct test_response r;
	char released[160], later[160], pay[200];
	json_t *line;

	/* On paper, as Kyrgyzstan sends no electronic certificates yet: duty 0, VAT paid, released. */
	lodge(cotton, released);
	line = line_of(released, 1);
	cr_assert(json_is_true(json_object_get(json_object_get(line, "preference"), "accepted")));
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "electronic")));
	snprintf(pay, sizeof(pay),
		 "{\"reference\": \"KASPI-KG-1\", \"amount\": %lld, \"method\": \"bank_transfer\"}",
		 (long long)json_integer_value(json_object_get(line, "total")));
	json_decref(line);
	cr_assert_eq(post("trader", released, "payments", pay, NULL), 201);
	cr_assert_eq(post("border.officer", released, "arrival", NULL, NULL), 200);
	cr_assert_eq(post("border.officer", released, "release", NULL, &r), 200, "%s", r.body);
	test_response_free(&r);

	/* Then Kyrgyzstan's node starts sending certificates of origin. */
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners",
			  "{\"country\": \"KG\", \"name\": \"Customs of Kyrgyzstan\","
			  " \"endpoint\": \"https://customs.kg\", \"did\": \"did:web:customs.kg\","
			  " \"keys\": [{\"id\": \"key-1\", \"publicKeyMultibase\":"
			  " \"z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2\"}],"
			  " \"agreements\": {\"certificates_of_origin\": {\"since\": \"2020-01-01\"}}}",
			  &r),
		     201, "%s", r.body);
	test_response_free(&r);

	/* The released declaration keeps its verdict; a new one needs the electronic certificate. */
	line = line_of(released, 1);
	cr_assert(json_is_true(json_object_get(json_object_get(line, "preference"), "accepted")),
		  "%s", json_dumps(line, 0));
	cr_assert_eq(json_integer_value(json_object_get(line, "duty")), 0);
	json_decref(line);
	lodge(cotton, later);
	line = line_of(later, 1);
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "accepted")),
		  "%s", json_dumps(line, 0));
	cr_assert(json_is_true(json_object_get(json_object_get(line, "preference"), "electronic")));
	cr_assert_gt(json_integer_value(json_object_get(line, "duty")), 0);
	json_decref(line);
}
