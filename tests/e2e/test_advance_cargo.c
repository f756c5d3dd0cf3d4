/*
 * test_advance_cargo.c — advance cargo data between two real nodes, from
 * an export's release to the import's risk decision. KZ and UZ run `caravan
 * serve` with their own databases and keys and register each other with an
 * advance cargo agreement; then, with nothing but the delivery workers in
 * between:
 *  - a trader in KZ lodges an export to UZ, customs releases it, and the
 *    signed AdvanceCargoData (addressed to UZ, with the export's number,
 *    containers and items) leaves KZ's outbox, is accepted by UZ's inbox
 *    and stored as pre-arrival information;
 *  - in UZ, an import declaration referencing it (document ADVANCE-CARGO,
 *    the export's number) gets advance_match true in its risk decision, and
 *    one whose goods differ gets false;
 *  - an export to a country with no such partner sends nothing.
 */
#include "support/server.h"

#include "store/db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server kz, uz;

static void start(void) { test_nodes_start(&kz, &uz); }
static void stop(void) { test_nodes_stop(&kz, &uz); }

TestSuite(advance_cargo, .init = start, .fini = stop, .timeout = 120);

#define WAIT_STEP_US (100 * 1000)
#define WAIT_STEPS 200 /* 20 s: deliveries run every 100 ms */
#define EXPORT_NUMBER_MAX 64

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char agreement[] = "{\"advance_cargo\": {\"since\": \"2025-06-01\"}}";

/* The trader of KZ lodges an export of cotton fabric to destination; it is released. */
static void export_released(const char *destination, char number[EXPORT_NUMBER_MAX])
{
	char body[1024], path[160];
	struct test_response r;

	snprintf(body, sizeof(body),
		 "{\"direction\": \"export\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		 " \"exporter\": \"KZ123456789012\", \"importer\": \"UZ305123456\","
		 " \"departure\": \"KZ\", \"destination\": \"%s\","
		 " \"transport\": {\"mode\": \"3\", \"vehicle\": \"777ABC02\","
		 " \"containers\": [\"CSQU3054383\"]},"
		 " \"items\": [{\"hs\": \"52081100\", \"description\": \"Cotton fabric\","
		 " \"origin\": \"KZ\", \"quantity\": 100, \"unit\": \"MTR\", \"net_mass\": 40,"
		 " \"value\": {\"amount\": 1500000, \"currency\": \"USD\"}}]}",
		 destination);
	cr_assert_eq(test_call(&kz, "trader", "POST", "/api/v1/declarations", body, &r), 201, "%s",
		     r.body);
	snprintf(number, EXPORT_NUMBER_MAX, "%s", str(r.json, "number"));
	test_response_free(&r);
	snprintf(path, sizeof(path), "/api/v1/declarations/%s/release", number);
	cr_assert_eq(test_call(&kz, "border.officer", "POST", path, NULL, &r), 200,
		     "an export owes nothing and its lane is green: %s", r.body);
	cr_assert_str_eq(str(r.json, "status"), "released");
	test_response_free(&r);
}

/* The node's messages of kind in direction (a new reference: free it). */
static json_t *messages(const struct test_server *node, const char *direction, const char *kind)
{
	struct test_response r;
	json_t *found = json_array(), *m;
	char path[128];
	size_t i;

	snprintf(path, sizeof(path), "/api/v1/exchange/messages?direction=%s&limit=500", direction);
	cr_assert_eq(test_call(node, "admin", "GET", path, NULL, &r), 200, "%s", r.body);
	json_array_foreach(json_object_get(r.json, "items"), i, m) {
		if (str(m, "kind") && !strcmp(str(m, "kind"), kind))
			json_array_append(found, m);
	}
	test_response_free(&r);
	return found;
}

/* Wait until node has one message of kind in direction in state; returns it (free it). */
static json_t *wait_message(const struct test_server *node, const char *direction, const char *kind,
			    const char *state)
{
	for (int step = 0; step < WAIT_STEPS; step++) {
		json_t *list = messages(node, direction, kind);
		json_t *m = json_array_get(list, 0);

		if (m && !strcmp(str(m, "state"), state)) {
			json_incref(m);
			json_decref(list);
			return m;
		}
		json_decref(list);
		usleep(WAIT_STEP_US);
	}
	return NULL;
}

/* Lodge an import in UZ referencing the advance cargo data of export; returns its id. */
static void lodge_import(const char *export_number, const char *hs, double net_mass, char id[64])
{
	char body[1200];
	struct test_response r;

	snprintf(body, sizeof(body),
		 "{\"direction\": \"import\", \"procedure\": \"4000\", \"office\": \"KZ-ALA\","
		 " \"declarant\": \"KZ123456789012\", \"importer\": \"KZ123456789012\","
		 " \"exporter\": \"KZ123456789012\", \"departure\": \"KZ\", \"destination\": \"UZ\","
		 " \"transport\": {\"mode\": \"3\"},"
		 " \"items\": [{\"hs\": \"%s\", \"description\": \"Textiles\", \"origin\": \"KZ\","
		 " \"quantity\": 100, \"unit\": \"MTR\", \"net_mass\": %g,"
		 " \"value\": {\"amount\": 1500000, \"currency\": \"USD\"}}],"
		 " \"documents\": [{\"type\": \"ADVANCE-CARGO\", \"reference\": \"%s\"}]}",
		 hs, net_mass, export_number);
	cr_assert_eq(test_call(&uz, "trader", "POST", "/api/v1/declarations", body, &r), 201, "%s",
		     r.body);
	snprintf(id, 64, "%s", str(r.json, "id"));
	test_response_free(&r);
}

/* Does UZ's fresh risk decision on declaration id hit profile? */
static int hits(const char *id, const char *profile)
{
	struct test_response r;
	char path[128];
	json_t *item, *hit;
	size_t i, h;
	int found = 0;

	snprintf(path, sizeof(path), "/api/v1/declarations/%s/risk", id);
	cr_assert_eq(test_call(&uz, "risk.analyst", "POST", path, NULL, &r), 201, "%s", r.body);
	json_array_foreach(json_object_get(json_object_get(r.json, "explanation"), "items"), i,
			   item) {
		json_array_foreach(json_object_get(item, "hits"), h, hit) {
			if (!strcmp(str(hit, "profile"), profile))
				found = 1;
		}
	}
	test_response_free(&r);
	return found;
}

/* UZ's profiles: one on advance data that agrees, one on advance data that does not. */
static void uz_profiles(void)
{
	static const char source[] = "{\"source\": \"profile ACDOK \\\"advance cargo data agrees\\\""
				     " when advance_match = true then score 1 end\\n"
				     "profile ACDNO \\\"no agreeing advance cargo data\\\""
				     " when advance_match = false then score 1 end\\n\"}";
	struct test_response r;
	char path[160];

	cr_assert_eq(test_call(&uz, "risk.analyst", "POST", "/api/v1/risk/profiles", source, &r),
		     201, "%s", r.body);
	snprintf(path, sizeof(path), "/api/v1/risk/profiles/%s/activate", str(r.json, "id"));
	test_response_free(&r);
	cr_assert_eq(test_call(&uz, "risk.analyst", "POST", path, NULL, &r), 200, "%s", r.body);
	test_response_free(&r);
}

/* UZ's stored advance cargo data of export: its sender country and containers. */
static void assert_stored(const char *export_number)
{
	struct store *store;
	struct store_conn *conn;
	struct store_stmt *stmt;

	cr_assert_eq(store_open(uz.db_url, &store, NULL), CV_OK);
	cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
	cr_assert_eq(store_query_row(conn, &stmt,
				     "SELECT country, containers, (SELECT count(*) FROM"
				     " advance_cargo_items i WHERE i.advance_cargo_id = a.id)"
				     " FROM advance_cargo a WHERE export_number = $1",
				     "t", export_number),
		     CV_OK, "UZ stored no advance cargo data for %s", export_number);
	cr_assert_str_eq(store_col_text(stmt, 0), "KZ", "under the sender's registered country");
	cr_assert_str_eq(store_col_text(stmt, 1), "CSQU3054383");
	cr_assert_eq(store_col_int64(stmt, 2), 1);
	store_finish(stmt);
	store_close(store);
}

Test(advance_cargo, a_released_export_reaches_the_destination_and_its_imports_match_it)
{
	char number[EXPORT_NUMBER_MAX], path[160], matching[64], differing[64];
	struct test_response r;
	json_t *out, *in, *doc, *subject;

	test_register_partner(&kz, &uz, "UZ", agreement);
	test_register_partner(&uz, &kz, "KZ", agreement);
	/* No random examination at the export office: the lane is the profiles'. */
	cr_assert_eq(test_call(&kz, "risk.analyst", "PATCH", "/api/v1/risk/offices/KZ-KHO",
			       "{\"random_rate\": 0, \"random_rate_aeo\": 0}", NULL),
		     200);
	export_released("UZ", number);

	out = wait_message(&kz, "out", "AdvanceCargoData", "acknowledged");
	cr_assert(out, "the advance cargo data never left KZ");
	cr_assert_str_eq(str(out, "partner_country"), "UZ");
	in = wait_message(&uz, "in", "AdvanceCargoData", "accepted");
	cr_assert(in, "UZ never accepted the advance cargo data");
	cr_assert_str_eq(str(in, "partner_country"), "KZ");
	cr_assert_str_eq(str(in, "document_id"), str(out, "document_id"));
	cr_assert_eq(strncmp(str(in, "document_id"), "urn:uuid:", 9), 0);

	/* What UZ received: addressed to it, built from the export's rows. */
	snprintf(path, sizeof(path), "/api/v1/exchange/messages/%s", str(in, "id"));
	cr_assert_eq(test_call(&uz, "admin", "GET", path, NULL, &r), 200, "%s", r.body);
	doc = json_object_get(r.json, "document");
	subject = json_object_get(doc, "credentialSubject");
	cr_assert_str_eq(str(doc, "to"), uz.did, "%s", r.body);
	cr_assert_str_eq(str(doc, "issuer"), kz.did);
	cr_assert_str_eq(str(subject, "exportDeclaration"), number, "%s", r.body);
	cr_assert_str_eq(str(subject, "exportOffice"), "KZ-KHO");
	cr_assert_str_eq(str(subject, "destinationCountry"), "UZ");
	cr_assert_str_eq(str(subject, "exporter"), "KZ123456789012");
	cr_assert(str(subject, "releasedAt"), "%s", r.body);
	cr_assert_str_eq(str(json_object_get(subject, "transport"), "vehicle"), "777ABC02");
	cr_assert_str_eq(str(json_array_get(json_object_get(subject, "items"), 0), "hs"),
			 "52081100");
	test_response_free(&r);
	json_decref(out);
	json_decref(in);
	assert_stored(number);

	/* In UZ: the same goods match the announced data; other goods do not. */
	uz_profiles();
	lodge_import(number, "52081100", 42, matching); /* 5 % more mass: within the tolerance */
	lodge_import(number, "61091000", 40, differing);
	cr_assert(hits(matching, "ACDOK"), "advance_match must be true for the same goods");
	cr_assert_not(hits(matching, "ACDNO"));
	cr_assert(hits(differing, "ACDNO"), "advance_match must be false for other goods");
	cr_assert_not(hits(differing, "ACDOK"));
}

Test(advance_cargo, an_export_to_a_country_without_a_partner_sends_nothing)
{
	char number[EXPORT_NUMBER_MAX];
	json_t *before, *after;

	test_register_partner(&kz, &uz, "UZ", agreement);
	cr_assert_eq(test_call(&kz, "risk.analyst", "PATCH", "/api/v1/risk/offices/KZ-KHO",
			       "{\"random_rate\": 0, \"random_rate_aeo\": 0}", NULL),
		     200);
	before = messages(&kz, "out", "AdvanceCargoData");
	export_released("KG", number);
	/* Queued in the release's transaction or not at all: nothing to wait for. */
	after = messages(&kz, "out", "AdvanceCargoData");
	cr_assert_eq(json_array_size(after), json_array_size(before),
		     "an export to KG queued advance cargo data");
	json_decref(before);
	json_decref(after);
}
