/*
 * test_declarations.c — the single window's declarations: lodge before
 * arrival with the lane decided at once, every validation error named by
 * field, who may lodge for whom, what a trader sees, amendments as
 * versions, cancellation, and notifications by cursor.
 */
#include "support/server.h"
#include "trade/lodging.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(declarations, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)

/* The demo trader (Steppe Trading, KZ123456789012) imports phones from China. */
static const char phones[] =
	"{\"direction\": \"import\", \"procedure\": \"4000\", \"office\": \"KZ-KHO\","
	" \"declarant\": \"KZ123456789012\", \"importer\": \"KZ123456789012\","
	" \"exporter\": \"CN-SHENZHEN-001\", \"seller\": \"CN-SHENZHEN-001\","
	" \"departure\": \"CN\", \"destination\": \"KZ\","
	" \"transport\": {\"mode\": \"3\", \"vehicle\": \"777ABC02\", \"containers\": [\"CSQU3054383\"]},"
	" \"expected_arrival\": \"2099-11-29T08:00:00Z\","
	" \"items\": [{\"hs\": \"85171300\", \"description\": \"Smartphones\", \"origin\": \"CN\","
	" \"quantity\": 200, \"unit\": \"H87\", \"net_mass\": 52.5,"
	" \"value\": {\"amount\": 4000000, \"currency\": \"USD\"}}],"
	" \"documents\": [{\"type\": \"INVOICE\", \"reference\": \"INV-2026-118\"}]}";

static int has_event(json_t *declaration, const char *kind)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(declaration, "events"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "kind")), kind))
			return 1;
	return 0;
}

static void lodge(struct test_response *r)
{
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", phones, r), 201, "%s", r->body);
}

Test(declarations, a_trader_lodges_before_arrival_and_gets_the_lane_at_once)
{
	struct test_response r;
	json_t *item;

	lodge(&r);
	/* Lane decided; what stands is paying the VAT on the phones. */
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "payment_required");
	cr_assert(strncmp(json_string_value(json_object_get(r.json, "number")), "KZ-IM-", 6) == 0,
		  "the national format: %s", json_string_value(json_object_get(r.json, "number")));
	cr_assert(json_is_string(json_object_get(r.json, "lane")));
	cr_assert(json_is_true(json_object_get(r.json, "pre_arrival")));
	item = json_array_get(json_object_get(r.json, "items"), 0);
	/* 4,000,000 cents at the demo's 470 KZT per USD. */
	cr_assert_float_eq(json_real_value(json_object_get(json_object_get(item, "value"),
							   "node_currency")),
			   18800000.0, 1e-6);
	cr_assert(has_event(r.json, "lodged") && has_event(r.json, "accepted") &&
		  has_event(r.json, "risk_decided"));
	test_response_free(&r);
}

Test(declarations, every_bad_field_is_named_and_nothing_is_stored)
{
	static const char garbage[] =
		"{\"direction\": \"sideways\", \"office\": \"XX\", \"declarant\": \"a b\","
		" \"transport\": {\"mode\": \"6\", \"containers\": [\"CSQU3054384\"]},"
		" \"expected_arrival\": \"tomorrow\", \"colour\": 1,"
		" \"items\": [{\"hs\": \"999999\", \"origin\": \"ZZ\", \"quantity\": -1, \"unit\": \"BOX\","
		" \"net_mass\": \"heavy\", \"value\": {\"amount\": 1.5, \"currency\": \"USD\"}},"
		" {\"hs\": \"85171300\", \"description\": \"x\", \"origin\": \"CN\", \"quantity\": 1,"
		" \"unit\": \"H87\", \"net_mass\": 1, \"value\": {\"amount\": 100, \"currency\": \"XBT\"},"
		" \"preference\": \"CAREC\"}]}";
	static const char *const fields[] = {"colour",
					     "direction",
					     "office",
					     "declarant",
					     "transport.mode",
					     "transport.containers[0]",
					     "expected_arrival",
					     "items[0].hs",
					     "items[0].description",
					     "items[0].origin",
					     "items[0].quantity",
					     "items[0].unit",
					     "items[0].net_mass",
					     "items[0].value",
					     "items[1].value.currency",
					     "items[1].certificate_of_origin",
					     NULL};
	struct test_response r;

	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", garbage, &r), 422);
	for (const char *const *f = fields; *f; f++) {
		char needle[64];
		snprintf(needle, sizeof(needle), "\"field\":\"%s\"", *f);
		cr_assert(strstr(r.body, needle), "%s is not named: %s", *f, r.body);
	}
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", "{\"items\": 7}", &r), 422);
	cr_assert(strstr(r.body, "\"field\":\"items\"") && strstr(r.body, "\"field\":\"transport\""),
		  "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", "[]", NULL), 400);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", "{\"direction\":", NULL), 400);
	cr_assert_eq(call("trader", "GET", "/api/v1/declarations", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 0, "nothing stored");
	test_response_free(&r);
}

/* A trader user for the demo broker Altyn Logistics (KZ987654321098); its bearer token. */
static const char *broker_token(void)
{
	static char token[128];
	struct test_response r;
	char body[256], path[128];

	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/operators?q=KZ987654321098", NULL, &r),
		     200);
	snprintf(body, sizeof(body),
		 "{\"username\": \"altyn\", \"password\": \"altyn-broker-2026\", \"role\": \"trader\","
		 " \"operator_id\": \"%s\"}",
		 json_string_value(
			 json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "id")));
	test_response_free(&r);
	cr_assert_eq(call("admin", "POST", "/api/v1/users", body, &r), 201, "%s", r.body);
	snprintf(path, sizeof(path), "/api/v1/users/%s/tokens",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("admin", "POST", path, "{\"label\": \"test\"}", &r), 201, "%s", r.body);
	snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(r.json, "token")));
	test_response_free(&r);
	return token;
}

static long as_broker(const char *token, const char *method, const char *path, const char *body,
		      struct test_response *out)
{
	char auth[200];
	const char *headers[] = {auth, "Content-Type: application/json", NULL};
	struct test_response r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	test_http(&srv, method, path, headers, body, out ? out : &r);
	if (!out) {
		long status = r.status;
		test_response_free(&r);
		return status;
	}
	return out->status;
}

Test(declarations, a_trader_lodges_for_itself_or_as_declarant_for_a_client_it_represents)
{
	const char *broker = broker_token();
	struct test_response r;
	char *for_client = strdup(phones), *p, path[128];

	/* The broker as declarant for Steppe Trading, which it represents. */
	p = strstr(for_client, "\"declarant\": \"KZ123456789012\"");
	memcpy(p, "\"declarant\": \"KZ987654321098\"", 29);
	cr_assert_eq(as_broker(broker, "POST", "/api/v1/declarations", for_client, &r), 201, "%s",
		     r.body);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", path, NULL, NULL), 200, "the importer sees it");
	/* Lodging as if it were the importer itself: refused. */
	cr_assert_eq(as_broker(broker, "POST", "/api/v1/declarations", phones, &r), 403);
	cr_assert(strstr(r.body, "KZ987654321098"), "%s", r.body);
	test_response_free(&r);
	/* The demo trader does not represent anyone. */
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", for_client, NULL), 403);
	free(for_client);
	/* The broker sees what it lodged, not the importer's own declarations. */
	lodge(&r);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s",
		 json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
	cr_assert_eq(as_broker(broker, "GET", path, NULL, NULL), 404, "never 403");
	cr_assert_eq(as_broker(broker, "GET", "/api/v1/declarations", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1);
	test_response_free(&r);
	/* Customs sees every declaration: these two first (newest), then the demo's. */
	cr_assert_eq(call("border.officer", "GET", "/api/v1/declarations?limit=3", NULL, &r), 200);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 1),
						 "lodged_by")),
			 "altyn");
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 2),
						 "lodged_by")),
			 "cli:demo", "the demo's single-window traffic: %s", r.body);
	cr_assert(json_is_string(json_object_get(r.json, "next_after")), "there are more");
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "POST", "/api/v1/declarations", phones, NULL), 403);
	cr_assert_eq(call("pga.officer", "POST", "/api/v1/declarations", phones, NULL), 403);
}

Test(declarations, an_amendment_is_a_new_version_decided_again_and_a_compliance_event)
{
	struct test_response r;
	char path[160], body[4096], *changed = strdup(phones), *p;

	lodge(&r);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s/amendments",
		 json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
	p = strstr(changed, "\"quantity\": 200");
	memcpy(p, "\"quantity\": 250", 15);
	snprintf(body, sizeof(body), "{\"reason\": \"50 more on the truck\", \"declaration\": %s}",
		 changed);
	cr_assert_eq(call("trader", "POST", path, body, &r), 200, "%s", r.body);
	cr_assert_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	cr_assert_float_eq(json_real_value(
				   json_object_get(json_array_get(json_object_get(r.json, "items"),
								  0),
						   "quantity")),
			   250, 1e-9);
	cr_assert(has_event(r.json, "amended"));
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", path, "{\"reason\": \"x\", \"declaration\": {}}", &r),
		     422);
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", path, "{\"declaration\": {}}", NULL), 422,
		     "a reason is required");
	cr_assert_eq(call("trader", "GET", "/api/v1/operators/KZ123456789012/compliance-events",
			  NULL, &r),
		     200);
	cr_assert(strstr(r.body, "declaration_amended"), "%s", r.body);
	test_response_free(&r);
	free(changed);
}

Test(declarations, a_cancelled_declaration_no_longer_changes)
{
	struct test_response r;
	char cancel[160], amend[160], body[4096];

	lodge(&r);
	snprintf(cancel, sizeof(cancel), "/api/v1/declarations/%s/cancellation",
		 json_string_value(json_object_get(r.json, "id")));
	snprintf(amend, sizeof(amend), "/api/v1/declarations/%s/amendments",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", cancel, "{}", NULL), 422, "a reason is required");
	cr_assert_eq(call("trader", "POST", cancel, "{\"reason\": \"order cancelled\"}", &r), 200,
		     "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "cancelled");
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", cancel, "{\"reason\": \"again\"}", NULL), 409);
	snprintf(body, sizeof(body), "{\"reason\": \"late\", \"declaration\": %s}", phones);
	cr_assert_eq(call("trader", "POST", amend, body, &r), 409);
	cr_assert(strstr(r.body, "cancelled"), "%s", r.body);
	test_response_free(&r);
}

Test(declarations, notifications_come_in_order_from_a_cursor)
{
	struct test_response r;
	json_t *items;
	const char *next;
	char path[96];

	lodge(&r);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/notifications", NULL, &r), 200);
	items = json_object_get(r.json, "items");
	cr_assert_eq(json_array_size(items), 3, "accepted, lane assigned, payment required: %s",
		     r.body);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "status")),
			 "accepted");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "status")),
			 "lane_assigned");
	next = json_string_value(json_object_get(r.json, "next_after"));
	snprintf(path, sizeof(path), "/api/v1/notifications?after=%s", next);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 0, "nothing new");
	test_response_free(&r);
	lodge(&r);
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", path, NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 3, "only the new ones");
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/notifications?after=soon", NULL, NULL), 422);
	cr_assert_eq(call("border.officer", "GET", "/api/v1/notifications", NULL, NULL), 403);
}

Test(declarations, container_numbers_carry_an_iso_6346_check_digit)
{
	cr_assert(trade_container_valid("CSQU3054383"));
	cr_assert(trade_container_valid("MSKU9070323"));
	cr_assert(trade_container_valid("TGHU1234567"));
	cr_assert(!trade_container_valid("CSQU3054384"), "wrong check digit");
	cr_assert(!trade_container_valid("TCLU1234560"));
	cr_assert(!trade_container_valid("CSQX3054383"), "category must be U, J or Z");
	cr_assert(!trade_container_valid("csqu3054383"));
	cr_assert(!trade_container_valid("CSQU305438"));
	cr_assert(!trade_container_valid(NULL));
}

Test(declarations, anyone_asks_what_goods_need_before_trading)
{
	struct test_response r;
	json_t *req;

	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements?hs=29034100&direction=import", NULL, &r),
		     200, "public: %s", r.body);
	req = json_array_get(json_object_get(r.json, "requirements"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(req, "id")), "ODS-HFC");
	cr_assert_str_eq(json_string_value(json_object_get(req, "lpco_type")), "ODS-LICENCE");
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(req, "agencies"), 0),
						 "code")),
			 "KZ-MEN", "the demo's ministry of ecology issues it");
	test_response_free(&r);
	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements?hs=0201&direction=export", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "requirements")), 0,
		     "veterinary certificates are for imports");
	test_response_free(&r);
	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements?hs=020130", NULL, &r), 200);
	cr_assert(strstr(r.body, "VETERINARY-CERTIFICATE") && strstr(r.body, "KZ-MOA"), "%s",
		  r.body);
	test_response_free(&r);
	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements?hs=85171300", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "requirements")), 0);
	test_response_free(&r);
	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements?hs=29ab", NULL, NULL), 422);
	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements?hs=2903&direction=up", NULL, NULL),
		     422);
	cr_assert_eq(call(NULL, "GET", "/api/v1/requirements", NULL, NULL), 422);
}

/* Apples from China: a phytosanitary certificate from the Ministry of Agriculture (KZ-MOA). */
static char *apples(double net_mass, const char *certificate)
{
	char *doc = malloc(4096), documents[256] = "";

	if (certificate)
		snprintf(documents, sizeof(documents),
			 ", {\"type\": \"PHYTOSANITARY-CERTIFICATE\", \"reference\": \"%s\"}",
			 certificate);
	snprintf(doc, 4096,
		 "{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		 " \"importer\": \"KZ123456789012\", \"departure\": \"CN\","
		 " \"transport\": {\"mode\": \"3\"},"
		 " \"items\": [{\"hs\": \"080810\", \"description\": \"Fresh apples\", \"origin\": \"CN\","
		 " \"quantity\": %g, \"unit\": \"KGM\", \"net_mass\": %g,"
		 " \"value\": {\"amount\": 1200000, \"currency\": \"USD\"}}],"
		 " \"documents\": [{\"type\": \"INVOICE\", \"reference\": \"INV-7\"}%s]}",
		 net_mass, net_mass, documents);
	return doc;
}

static long amend(const char *path, char *doc, struct test_response *r)
{
	size_t n = strlen(doc) + 128;
	char *body = malloc(n);
	long status;

	snprintf(body, n, "{\"reason\": \"certificate\", \"declaration\": %s}", doc);
	status = call("trader", "POST", path, body, r);
	free(body);
	free(doc);
	return status;
}

Test(declarations, an_issued_certificate_is_used_until_its_quantity_runs_out)
{
	char application[512], in_two_months[16];
	time_t t = time(NULL) + 60 * 86400;
	struct tm tm;
	struct test_response r;
	char path[160], decide[160], number[96], *doc = apples(12000, NULL);

	gmtime_r(&t, &tm);
	strftime(in_two_months, sizeof(in_two_months), "%Y-%m-%d", &tm);
	snprintf(application, sizeof(application),
		 "{\"type\": \"PHYTOSANITARY-CERTIFICATE\", \"agency\": \"KZ-MOA\","
		 " \"valid_to\": \"%s\", \"lines\": [{\"hs\": \"0808\","
		 " \"description\": \"Apples and pears\", \"quantity\": 20000, \"unit\": \"KGM\"}]}",
		 in_two_months);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", doc, &r), 201, "%s", r.body);
	free(doc);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "documents_required");
	snprintf(path, sizeof(path), "/api/v1/declarations/%s/amendments",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/notifications", NULL, &r), 200);
	cr_assert(strstr(r.body, "documents_required") && strstr(r.body, "PHYTOSANITARY"), "%s",
		  r.body);
	test_response_free(&r);

	/* The trader applies; the agency grants 15 t of the 20 t asked for. */
	cr_assert_eq(call("trader", "POST", "/api/v1/lpcos", application, &r), 201, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "applied");
	snprintf(decide, sizeof(decide), "/api/v1/lpcos/%s/decision",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("trader", "POST", decide, "{\"decision\": \"issue\"}", NULL), 403);
	cr_assert_eq(call("pga.officer", "POST", decide, "{\"decision\": \"refuse\"}", NULL), 422,
		     "a refusal gives reasons");
	cr_assert_eq(call("pga.officer", "POST", decide,
			  "{\"decision\": \"issue\", \"lines\": [{\"line\": 1, \"quantity\": 15000}]}",
			  &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "issued");
	snprintf(number, sizeof(number), "%s", json_string_value(json_object_get(r.json, "number")));
	cr_assert(strncmp(number, "KZ-MOA-", 7) == 0, "%s", number);
	test_response_free(&r);
	cr_assert_eq(call("pga.officer", "POST", decide, "{\"decision\": \"issue\"}", NULL), 409,
		     "decided once");

	/* 16 t is more than the certificate covers; 12 t is within it. */
	cr_assert_eq(amend(path, apples(16000, number), &r), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "documents_required");
	test_response_free(&r);
	cr_assert_eq(call("trader", "GET", "/api/v1/notifications", NULL, &r), 200);
	cr_assert(strstr(r.body, "balance of 15000"), "the trader is told why: %s", r.body);
	test_response_free(&r);
	/* Documents complete; the agriculture ministry inspects fresh fruit (PHYTO-PLANTS). */
	cr_assert_eq(amend(path, apples(12000, number), &r), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "under_examination");
	test_response_free(&r);
	/* A number that was never issued does not count. */
	cr_assert_eq(amend(path, apples(12000, "KZ-MOA-2026-999999"), &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "documents_required");
	test_response_free(&r);
	/* Customs and the agency read it; the balance is whole until release draws on it. */
	snprintf(path, sizeof(path), "/api/v1/lpcos/%s", number);
	cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200);
	cr_assert_float_eq(json_real_value(
				   json_object_get(json_array_get(json_object_get(r.json, "lines"),
								  0),
						   "balance")),
			   15000, 1e-9);
	test_response_free(&r);
	/* The agency's list, newest first: this one, then the demo's. */
	cr_assert_eq(call("pga.officer", "GET", "/api/v1/lpcos?status=issued", NULL, &r), 200);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
						 "number")),
			 number, "%s", r.body);
	test_response_free(&r);
}

Test(declarations, lpco_applications_with_garbage_are_refused_by_field)
{
	struct test_response r;

	cr_assert_eq(call("trader", "POST", "/api/v1/lpcos",
			  "{\"type\": \"ODS LICENCE\", \"agency\": \"KZ-NONE\", \"valid_from\": \"2027-01-01\","
			  " \"valid_to\": \"2026-01-01\", \"lines\": [{\"hs\": \"29\", \"quantity\": 0,"
			  " \"unit\": \"BOX\", \"colour\": 1}], \"urgent\": true}",
			  &r),
		     422);
	for (const char *const *f =
		     (const char *const[]){"\"type\"", "\"agency\"", "\"valid_to\"",
					   "\"lines[0].hs\"", "\"lines[0].description\"",
					   "\"lines[0].quantity\"", "\"lines[0].unit\"",
					   "\"lines[0].colour\"", "\"urgent\"", NULL};
	     *f; f++)
		cr_assert(strstr(r.body, *f), "%s not named: %s", *f, r.body);
	test_response_free(&r);
	/* The health ministry does not issue ozone licences. */
	cr_assert_eq(call("trader", "POST", "/api/v1/lpcos",
			  "{\"type\": \"ODS-LICENCE\", \"agency\": \"KZ-MOH\", \"valid_to\": \"2099-01-01\","
			  " \"lines\": [{\"hs\": \"290341\", \"description\": \"HFC\", \"quantity\": 1,"
			  " \"unit\": \"KGM\"}]}",
			  &r),
		     422);
	cr_assert(strstr(r.body, "does not issue"), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("border.officer", "POST", "/api/v1/lpcos", "{}", NULL), 403);
	cr_assert_eq(call("trader", "GET", "/api/v1/lpcos?status=lost", NULL, NULL), 422);
	cr_assert_eq(call("trader", "GET", "/api/v1/lpcos/nothing", NULL, NULL), 404);
}

/* Issue a phytosanitary certificate for 20 t of apples to the demo trader; its number. */
static void issue_certificate(char number[96])
{
	char application[512], decide[160], until[16];
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
	cr_assert_eq(call("trader", "POST", "/api/v1/lpcos", application, &r), 201, "%s", r.body);
	snprintf(decide, sizeof(decide), "/api/v1/lpcos/%s/decision",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("pga.officer", "POST", decide, "{\"decision\": \"issue\"}", &r), 200);
	snprintf(number, 96, "%s", json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
}

Test(declarations, a_red_lane_and_an_agency_inspection_make_one_joint_examination)
{
	static const char red_apples[] =
		"{\"source\": \"profile APPLES \\\"apples\\\" when hs startswith \\\"0808\\\" then lane red end\\n\"}";
	struct test_response r;
	char number[96], path[160], declaration[64], exam[64], same[64], *doc;

	/* The analysts send apples to red; the agriculture ministry inspects fruit anyway. */
	cr_assert_eq(call("risk.analyst", "POST", "/api/v1/risk/profiles", red_apples, &r), 201);
	snprintf(path, sizeof(path), "/api/v1/risk/profiles/%s/activate",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("risk.analyst", "POST", path, NULL, NULL), 200);
	issue_certificate(number);
	doc = apples(12000, number);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", doc, &r), 201, "%s", r.body);
	free(doc);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "lane")), "red");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "under_examination");
	snprintf(declaration, sizeof(declaration), "%s",
		 json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);

	/* One examination, two parties; each sees it in its worklist. */
	cr_assert(test_examination_for(&srv, "pga.officer", declaration, exam));
	cr_assert(test_examination_for(&srv, "border.officer", declaration, same));
	cr_assert_str_eq(same, exam, "one examination, not one per party");
	snprintf(path, sizeof(path), "/api/v1/examinations/%s", exam);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "parties")), 2, "%s", r.body);
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/examinations/%s/results", exam);

	cr_assert_eq(call("pga.officer", "POST", path, "{\"result\": \"dirty\"}", NULL), 422);
	cr_assert_eq(call("trader", "POST", path, "{\"result\": \"clean\"}", NULL), 403);
	cr_assert_eq(call("pga.officer", "POST", path,
			  "{\"result\": \"clean\", \"notes\": \"no pests found\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "scheduled",
			 "customs has yet to record");
	test_response_free(&r);
	cr_assert_eq(call("pga.officer", "POST", path, "{\"result\": \"clean\"}", NULL), 409,
		     "once per party");
	cr_assert_eq(call("border.officer", "POST", path,
			  "{\"result\": \"minor\", \"notes\": \"2 cartons more than declared\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "completed");
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "result")), "minor",
			 "the worst of the parties'");
	test_response_free(&r);
	cr_assert(!test_examination_for(&srv, "pga.officer", declaration, same),
		  "nothing left to do on it");
	/* The result is the trader's compliance record's, once. */
	cr_assert_eq(call("trader", "GET", "/api/v1/operators/KZ123456789012/compliance-events",
			  NULL, &r),
		     200);
	cr_assert(strstr(r.body, "\"outcome\":\"minor\"") ||
			  strstr(r.body, "\"outcome\": \"minor\""),
		  "%s", r.body);
	test_response_free(&r);
}

Test(declarations, cancelling_a_declaration_calls_off_its_open_examination)
{
	struct test_response r;
	char number[96], declaration[64], exam[64], other[64], path[160], *doc;

	issue_certificate(number);
	doc = apples(12000, number);
	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", doc, &r), 201, "%s", r.body);
	free(doc);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "under_examination");
	snprintf(declaration, sizeof(declaration), "%s",
		 json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
	cr_assert(test_examination_for(&srv, "pga.officer", declaration, exam));

	snprintf(path, sizeof(path), "/api/v1/declarations/%s/cancellation", declaration);
	cr_assert_eq(call("trader", "POST", path, "{\"reason\": \"order cancelled\"}", NULL), 200);
	cr_assert(!test_examination_for(&srv, "pga.officer", declaration, other),
		  "nothing left to examine: off the worklist");
	snprintf(path, sizeof(path), "/api/v1/examinations/%s", exam);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "cancelled");
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/examinations/%s/results", exam);
	cr_assert_eq(call("pga.officer", "POST", path, "{\"result\": \"clean\"}", &r), 409);
	cr_assert(strstr(r.body, "called off"), "%s", r.body);
	test_response_free(&r);
}

/* A new PGA officer username of agency; its bearer token. */
static const char *agency_token(const char *username, const char *agency, char token[128])
{
	struct test_response r;
	char body[256], path[128];

	snprintf(body, sizeof(body),
		 "{\"username\": \"%s\", \"password\": \"agency-officer-2026\","
		 " \"role\": \"pga_officer\", \"agency_code\": \"%s\"}",
		 username, agency);
	cr_assert_eq(call("admin", "POST", "/api/v1/users", body, &r), 201, "%s", r.body);
	snprintf(path, sizeof(path), "/api/v1/users/%s/tokens",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_eq(call("admin", "POST", path, "{\"label\": \"test\"}", &r), 201, "%s", r.body);
	snprintf(token, 128, "%s", json_string_value(json_object_get(r.json, "token")));
	test_response_free(&r);
	return token;
}

/* Lodge doc as the demo trader; its number. */
static void lodge_number(const char *doc, char number[64])
{
	struct test_response r;

	cr_assert_eq(call("trader", "POST", "/api/v1/declarations", doc, &r), 201, "%s", r.body);
	snprintf(number, 64, "%s", json_string_value(json_object_get(r.json, "number")));
	test_response_free(&r);
}

/* HFC refrigerant needs an ozone licence of the ecology ministry (KZ-MEN), not agriculture's. */
static const char refrigerant[] =
	"{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
	" \"importer\": \"KZ123456789012\", \"departure\": \"CN\", \"transport\": {\"mode\": \"3\"},"
	" \"items\": [{\"hs\": \"290345\", \"description\": \"HFC-134a\", \"origin\": \"CN\","
	" \"quantity\": 500, \"unit\": \"KGM\", \"net_mass\": 500,"
	" \"value\": {\"amount\": 250000, \"currency\": \"USD\"}}]}";

/* Is number among the declarations answered to path? */
static int listed(const char *token, const char *path, const char *number)
{
	struct test_response r;
	json_t *d;
	size_t i;
	int found = 0;

	cr_assert_eq(token ? as_broker(token, "GET", path, NULL, &r)
			   : call("pga.officer", "GET", path, NULL, &r),
		     200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "items"), i, d)
		found |= !strcmp(json_string_value(json_object_get(d, "number")), number);
	test_response_free(&r);
	return found;
}

Test(declarations, an_agency_officer_reads_the_declarations_that_need_its_permits_and_no_others)
{
	struct test_response r;
	char apples_number[64], phones_number[64], hfc_number[64], path[160], men[128];
	char *doc = apples(12000, NULL);
	json_t *e;
	size_t i;

	lodge_number(doc, apples_number); /* needs agriculture's phytosanitary certificate */
	free(doc);
	lodge_number(phones, phones_number);   /* needs nothing */
	lodge_number(refrigerant, hfc_number); /* needs ecology's ozone licence */

	/* The agriculture ministry's officer reads the apples, and is told of its own LPCO only. */
	snprintf(path, sizeof(path), "/api/v1/declarations/%s", apples_number);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "documents_required");
	json_array_foreach(json_object_get(r.json, "events"), i, e) {
		json_t *missing = json_object_get(json_object_get(e, "detail"), "missing"), *m;
		size_t k;
		json_array_foreach(missing, k, m)
			cr_assert_str_eq(json_string_value(json_object_get(m, "authority")),
					 "agriculture");
	}
	test_response_free(&r);
	/* Not what concerns nobody, nor another agency's: 404, never 403 (as for traders). */
	snprintf(path, sizeof(path), "/api/v1/declarations/%s", phones_number);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 404);
	cr_assert(strstr(r.body, "no declaration"), "%s", r.body);
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s", hfc_number);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, NULL), 404);
	/* The ecology ministry's officer reads the refrigerant, not the apples. */
	agency_token("ecology.officer", "KZ-MEN", men);
	cr_assert_eq(as_broker(men, "GET", path, NULL, NULL), 200);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s", apples_number);
	cr_assert_eq(as_broker(men, "GET", path, NULL, NULL), 404);

	/* The lists filter the same way: newest first, the agency's only. */
	cr_assert_eq(call("pga.officer", "GET", "/api/v1/declarations?limit=1", NULL, &r), 200);
	cr_assert_str_eq(json_string_value(
				 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
						 "number")),
			 apples_number, "%s", r.body);
	test_response_free(&r);
	cr_assert(listed(NULL, "/api/v1/declarations?status=documents_required&limit=500",
			 apples_number));
	cr_assert(!listed(NULL, "/api/v1/declarations?limit=500", phones_number));
	cr_assert(!listed(NULL, "/api/v1/declarations?limit=500", hfc_number));
	cr_assert(listed(men, "/api/v1/declarations?limit=500", hfc_number));
	cr_assert(!listed(men, "/api/v1/declarations?limit=500", apples_number));
	/* Duties and taxes are customs' and the trader's. */
	snprintf(path, sizeof(path), "/api/v1/declarations/%s/assessment", apples_number);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, NULL), 403);
	cr_assert_eq(call("trader", "GET", path, NULL, NULL), 200);
}

Test(declarations, an_agency_list_refuses_garbage_parameters_by_name)
{
	static const struct {
		const char *query, *field;
	} garbage[] = {{"status=lost", "status"},    {"limit=0", "limit"},
		       {"limit=many", "limit"},      {"limit=501", "limit"},
		       {"after=yesterday", "after"}, {"after=1%27%20OR%201=1", "after"}};
	struct test_response r;
	char path[160];

	for (size_t k = 0; k < sizeof(garbage) / sizeof(garbage[0]); k++) {
		snprintf(path, sizeof(path), "/api/v1/declarations?%s", garbage[k].query);
		cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 422, "%s: %s",
			     garbage[k].query, r.body);
		cr_assert(strstr(r.body, garbage[k].field), "%s: %s", garbage[k].query, r.body);
		test_response_free(&r);
	}
	cr_assert_eq(call("pga.officer", "GET", "/api/v1/declarations?status=lost&limit=0", NULL, &r),
		     422);
	cr_assert(strstr(r.body, "\"status\"") && strstr(r.body, "\"limit\""), "both named: %s",
		  r.body);
	test_response_free(&r);
}

Test(declarations, an_agency_sees_its_own_lpcos_of_a_declaration_and_its_joint_examinations)
{
	struct test_response r;
	char certificate[96], number[64], path[160], amendments[200], doc[2048];
	json_t *d;
	size_t i;

	/* Apples with agriculture's certificate and refrigerant with an ozone licence. */
	issue_certificate(certificate);
	snprintf(doc, sizeof(doc),
		 "{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		 " \"importer\": \"KZ123456789012\", \"departure\": \"CN\", \"transport\": {\"mode\": \"3\"},"
		 " \"items\": [{\"hs\": \"080810\", \"description\": \"Fresh apples\", \"origin\": \"CN\","
		 " \"quantity\": 1000, \"unit\": \"KGM\", \"net_mass\": 1000,"
		 " \"value\": {\"amount\": 100000, \"currency\": \"USD\"}},"
		 " {\"hs\": \"290345\", \"description\": \"HFC-134a\", \"origin\": \"CN\","
		 " \"quantity\": 500, \"unit\": \"KGM\", \"net_mass\": 500,"
		 " \"value\": {\"amount\": 250000, \"currency\": \"USD\"}}],"
		 " \"documents\": [{\"type\": \"PHYTOSANITARY-CERTIFICATE\", \"reference\": \"%s\"},"
		 " {\"type\": \"ODS-LICENCE\", \"reference\": \"KZ-MEN-2026-000777\"}]}",
		 certificate);
	lodge_number(doc, number);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s", number);
	cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "documents")), 2, "customs sees both");
	test_response_free(&r);
	/* Agriculture sees its certificate; the ecology ministry's licence, and its absence, are not its. */
	cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "documents")), 1, "%s", r.body);
	d = json_array_get(json_object_get(r.json, "documents"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(d, "type")), "PHYTOSANITARY-CERTIFICATE");
	cr_assert_null(strstr(r.body, "ODS-LICENCE"), "%s", r.body);
	cr_assert_null(strstr(r.body, "KZ-MEN-2026-000777"), "%s", r.body);
	test_response_free(&r);

	/*
	 * Agriculture inspects the apples (a joint examination). Once amended to
	 * refrigerant alone, the goods no longer need its certificate, but the
	 * examination it takes part in is still there: it still reads the
	 * declaration.
	 */
	snprintf(amendments, sizeof(amendments), "%s/amendments", path);
	cr_assert_eq(amend(amendments, strdup(refrigerant), &r), 200, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("pga.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "items"), i, d)
		cr_assert_str_eq(json_string_value(json_object_get(d, "hs")), "290345");
	test_response_free(&r);
	cr_assert(listed(NULL, "/api/v1/declarations?limit=500", number));
}
