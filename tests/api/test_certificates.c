/*
 * test_certificates.c — issuing electronic certificates of origin on one
 * node: who may issue and read them, every bad field named with nothing
 * stored, a signed credential whose revocation the node's public status
 * list shows at once.
 */
#include "support/server.h"

#include "exchange/credential.h"
#include "exchange/status_list.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(certificates, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)
#define PATH "/api/v1/certificates-of-origin"

static const char cotton[] =
	"{\"arrangement\": \"CIS-FTA\", \"importing_country\": \"UZ\","
	" \"exporter\": {\"id\": \"KZ123456789012\"},"
	" \"importer\": {\"id\": \"UZ302154879\", \"name\": \"Tashkent Textile JSC\"},"
	" \"consignment\": {\"mode\": \"2\", \"departure_date\": \"2026-12-01\"},"
	" \"items\": [{\"hs\": \"520100\", \"description\": \"Raw cotton\", \"quantity\": 60000,"
	" \"unit\": \"KGM\", \"origin\": \"KZ\", \"criterion\": \"WO\"},"
	" {\"hs\": \"520512\", \"description\": \"Cotton yarn\", \"quantity\": 8000,"
	" \"unit\": \"KGM\", \"gross_mass\": 8150.5, \"origin\": \"KZ\", \"criterion\": \"PSR\"}]}";

static size_t issued_count(void)
{
	struct test_response r;
	size_t n;

	cr_assert_eq(call("auditor", "GET", PATH "?direction=issued&limit=500", NULL, &r), 200,
		     "%s", r.body);
	n = json_array_size(json_object_get(r.json, "items"));
	test_response_free(&r);
	return n;
}

static int names_field(const struct test_response *r, const char *field)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(r->json, "errors"), i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "field")), field))
			return 1;
	}
	return 0;
}

Test(certificates, the_chamber_issues_a_signed_certificate_with_a_number_and_a_status_entry)
{
	struct test_response r, again;
	json_t *credential, *subject;
	char path[160];

	cr_assert_eq(call("origin.officer", "POST", PATH, cotton, &r), 201, "%s", r.body);
	cr_assert(strncmp(json_string_value(json_object_get(r.json, "number")), "KZ-CO-", 6) == 0,
		  "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "valid");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "agency")), "KZ-CCI");
	/* No partner of UZ here: kept and handed out, sent nowhere. */
	cr_assert(json_is_null(json_object_get(r.json, "sent_to")), "%s", r.body);
	credential = json_object_get(r.json, "credential");
	subject = json_object_get(credential, "credentialSubject");
	cr_assert_str_eq(json_string_value(json_object_get(subject, "number")),
			 json_string_value(json_object_get(r.json, "number")));
	/* The exporter's name comes from the operator registry. */
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(subject, "exporter"), "name")),
			 "Steppe Trading LLP");
	cr_assert_eq(json_array_size(json_object_get(subject, "items")), 2);
	cr_assert(json_object_get(credential, "proof"), "%s", r.body);
	cr_assert(json_array_size(json_object_get(credential, "credentialStatus")) >= 1);

	/* Read back by number: the authority, customs, the auditor and the exporter. */
	snprintf(path, sizeof(path), PATH "/%s",
		 json_string_value(json_object_get(r.json, "number")));
	cr_assert_eq(call("origin.officer", "GET", path, NULL, NULL), 200);
	cr_assert_eq(call("border.officer", "GET", path, NULL, NULL), 200);
	cr_assert_eq(call("auditor", "GET", path, NULL, &again), 200);
	cr_assert_str_eq(json_string_value(json_object_get(again.json, "id")),
			 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&again);
	cr_assert_eq(call("trader", "GET", path, NULL, NULL), 200);
	/* Another agency sees nothing of it. */
	cr_assert_eq(call("pga.officer", "GET", path, NULL, NULL), 404);
	test_response_free(&r);
}

Test(certificates, only_an_issuing_authority_issues_and_revokes)
{
	struct test_response r;
	char path[160];
	size_t before = issued_count();

	/* A veterinary officer holds pga rights but not the origin authority. */
	cr_assert_eq(call("pga.officer", "POST", PATH, cotton, &r), 403, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", PATH, cotton, NULL), 403);
	cr_assert_eq(call("border.officer", "POST", PATH, cotton, NULL), 403);
	cr_assert_eq(call("admin", "POST", PATH, cotton, NULL), 403);
	cr_assert_eq(call(NULL, "POST", PATH, cotton, NULL), 401);
	cr_assert_eq(issued_count(), before);

	cr_assert_eq(call("origin.officer", "POST", PATH, cotton, &r), 201, "%s", r.body);
	snprintf(path, sizeof(path), PATH "/%s/revocation",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("pga.officer", "POST", path, "{\"reason\": \"x\"}", NULL), 404);
	cr_assert_eq(call("trader", "POST", path, "{\"reason\": \"x\"}", NULL), 403);
}

Test(certificates, garbage_is_refused_field_by_field_and_nothing_is_stored)
{
	static const struct {
		const char *body, *field;
	} cases[] = {
		{"{}", "arrangement"},
		{"{}", "items"},
		{"{\"arrangement\": 7}", "arrangement"},
		{"{\"arrangement\": \"CIS FTA!\"}", "arrangement"},
		{"{\"importing_country\": \"KZ\"}", "importing_country"},
		{"{\"importing_country\": \"XX\"}", "importing_country"},
		{"{\"importing_country\": \"uz\"}", "importing_country"},
		{"{\"exporter\": \"KZ123456789012\"}", "exporter"},
		{"{\"exporter\": {\"id\": \"KZ000000000000\"}}", "exporter.id"},
		{"{\"importer\": {\"id\": \"UZ1\"}}", "importer.name"},
		{"{\"importer\": {\"id\": \"UZ1\", \"name\": \"A\", \"country\": \"TJ\"},"
		 " \"importing_country\": \"UZ\"}",
		 "importer.country"},
		{"{\"consignment\": {\"mode\": \"X\"}}", "consignment.mode"},
		{"{\"consignment\": {\"mode\": \"3\", \"departure_date\": \"tomorrow\"}}",
		 "consignment.departure_date"},
		{"{\"consignment\": {\"mode\": \"3\", \"colour\": \"red\"}}", "consignment.colour"},
		{"{\"items\": []}", "items"},
		{"{\"items\": {}}", "items"},
		{"{\"items\": [7]}", "items[0]"},
		{"{\"items\": [{\"hs\": \"52\"}]}", "items[0].hs"},
		{"{\"items\": [{\"hs\": \"52010A\"}]}", "items[0].hs"},
		{"{\"items\": [{\"quantity\": -5}]}", "items[0].quantity"},
		{"{\"items\": [{\"quantity\": \"5\"}]}", "items[0].quantity"},
		{"{\"items\": [{\"unit\": \"TONS\"}]}", "items[0].unit"},
		{"{\"items\": [{\"origin\": \"Kazakhstan\"}]}", "items[0].origin"},
		{"{\"items\": [{}]}", "items[0].criterion"},
		{"{\"items\": [{\"gross_mass\": 0}]}", "items[0].gross_mass"},
		{"{\"valid_until\": \"2020-01-01\"}", "valid_until"},
		{"{\"valid_until\": \"someday\"}", "valid_until"},
		{"{\"signature\": \"trust me\"}", "signature"},
	};
	struct test_response r;
	size_t before = issued_count();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(call("origin.officer", "POST", PATH, cases[i].body, &r), 422, "%s: %s",
			     cases[i].body, r.body);
		cr_assert(names_field(&r, cases[i].field), "%s should name %s: %s", cases[i].body,
			  cases[i].field, r.body);
		test_response_free(&r);
	}
	cr_assert_eq(call("origin.officer", "POST", PATH, "[1, 2]", NULL), 400);
	cr_assert_eq(call("origin.officer", "POST", PATH, "{\"arrangement\": ", NULL), 400);
	cr_assert_eq(issued_count(), before);

	/* Bad list queries and unknown certificates. */
	cr_assert_eq(call("auditor", "GET", PATH "?direction=sideways", NULL, NULL), 422);
	cr_assert_eq(call("auditor", "GET", PATH "?limit=0", NULL, NULL), 422);
	cr_assert_eq(call("auditor", "GET", PATH "/KZ-CO-1999-000001", NULL, NULL), 404);
	cr_assert_eq(call("origin.officer", "POST", PATH "/KZ-CO-1999-000001/revocation",
			  "{\"reason\": \"x\"}", NULL),
		     404);
}

Test(certificates, a_revocation_shows_in_the_public_status_list_at_once)
{
	struct test_response r, list;
	struct exchange_status_result result;
	struct cv_error err;
	size_t checked, others;
	json_t *credential, *entry;
	const char *url;
	char path[160];

	cr_assert_eq(call("origin.officer", "POST", PATH, cotton, &r), 201, "%s", r.body);
	credential = json_incref(json_object_get(r.json, "credential"));
	snprintf(path, sizeof(path), PATH "/%s/revocation",
		 json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
	entry = json_array_get(json_object_get(credential, "credentialStatus"), 0);
	url = json_string_value(json_object_get(entry, "statusListCredential"));
	cr_assert(url && strstr(url, "/api/v1/status-lists/"), "%s", url);

	/* Before: the bit is clear. */
	test_http(&srv, "GET", strstr(url, "/api/v1/status-lists/"), NULL, NULL, &list);
	cr_assert_eq(list.status, 200, "%s", list.body);
	cr_assert_eq(exchange_status_check_document(credential, list.json, &result, &checked,
						    &others, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(result.set, 0);
	test_response_free(&list);

	/* A revocation needs its reason; then it is final. */
	cr_assert_eq(call("origin.officer", "POST", path, "{}", &r), 422, "%s", r.body);
	cr_assert(names_field(&r, "reason"));
	test_response_free(&r);
	cr_assert_eq(call("origin.officer", "POST", path, "{\"reason\": \"wrong origin\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "revoked");
	test_response_free(&r);
	cr_assert_eq(call("origin.officer", "POST", path, "{\"reason\": \"again\"}", NULL), 409);

	test_http(&srv, "GET", strstr(url, "/api/v1/status-lists/"), NULL, NULL, &list);
	cr_assert_eq(list.status, 200, "%s", list.body);
	cr_assert_eq(exchange_status_check_document(credential, list.json, &result, &checked,
						    &others, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(result.set, 1);
	cr_assert_str_eq(result.purpose, "revocation");
	test_response_free(&list);
	json_decref(credential);
}

Test(certificates,
     the_demo_chamber_certified_the_exports_to_cis_partners_and_each_exporter_sees_its_own)
{
	struct test_response r, mine;
	json_t *c;
	size_t i, n;
	char tin[64];

	/* The demo's wheat to Uzbekistan and batteries to Russia, each with its certificate. */
	cr_assert_eq(call("origin.officer", "GET", PATH "?direction=issued&limit=500", NULL, &r),
		     200);
	n = json_array_size(json_object_get(r.json, "items"));
	cr_assert_gt(n, 50, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "items"), i, c) {
		const char *to = json_string_value(json_object_get(c, "importing_country"));
		cr_assert(!strcmp(to, "UZ") || !strcmp(to, "RU"), "%s", to);
		cr_assert_str_eq(json_string_value(json_object_get(c, "status")), "valid");
	}
	test_response_free(&r);

	/* The trader sees those naming it as exporter, no others. */
	cr_assert_eq(call("trader", "GET", "/api/v1/operators", NULL, &r), 200);
	snprintf(tin, sizeof(tin), "%s",
		 json_string_value(
			 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
					 "tin")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", PATH "?limit=500", NULL, &mine), 200);
	json_array_foreach(json_object_get(mine.json, "items"), i, c) {
		cr_assert_str_eq(json_string_value(
					 json_object_get(json_object_get(c, "exporter"), "id")),
				 tin);
	}
	cr_assert_lt(json_array_size(json_object_get(mine.json, "items")), n);
	test_response_free(&mine);
}
