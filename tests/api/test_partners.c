/*
 * test_partners.c — the partner registry through the API and the command
 * line: the administrator registers a partner (keys or its DID document,
 * agreements), changes and deactivates it; customs officers read it; every
 * bad member is named in one 422 and nothing is stored; the MRA partners
 * recognising an AEO type are one call away for the code that sends to them.
 */
#include "support/server.h"

#include "exchange/partners.h"
#include "store/db.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_server srv;

static void start(void) { test_server_start(&srv, NULL); }
static void stop(void) { test_server_stop(&srv); }

TestSuite(partners, .init = start, .fini = stop, .timeout = 120);

#define call(...) test_call(&srv, __VA_ARGS__)
#define KEY1 "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
#define KEY2 "z6MkjhZzU8GoFx6SY1bHxwKTiSNmR9xpP3Q9wUEff7uC8yE6"

static const char uzbekistan[] =
	"{\"country\": \"UZ\", \"name\": \"State Customs Committee of Uzbekistan\","
	" \"endpoint\": \"https://customs.uz/\", \"did\": \"did:web:customs.uz\","
	" \"keys\": [{\"id\": \"did:web:customs.uz#key-1\", \"publicKeyMultibase\": \"" KEY1 "\"}],"
	" \"agreements\": {\"mra\": {\"since\": \"2025-06-01\", \"aeo_types\": [\"AEOF\", \"AEOS\"]},"
	" \"advance_cargo\": {\"since\": \"2025-09-01\"}}}";

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Register Uzbekistan; its id into id. */
static void register_uzbekistan(char id[64])
{
	struct test_response r;
	char *location;

	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners", uzbekistan, &r), 201, "%s",
		     r.body);
	snprintf(id, 64, "%s", str(r.json, "id"));
	location = test_header(&r, "Location");
	cr_assert(location && strstr(location, id), "%s", location ? location : "no Location");
	free(location);
	test_response_free(&r);
}

Test(partners, the_administrator_registers_a_partner_and_customs_reads_it)
{
	struct test_response r;
	const json_t *mra;
	char id[64], path[128];

	register_uzbekistan(id);
	snprintf(path, sizeof(path), "/api/v1/exchange/partners/%s", id);
	cr_assert_eq(call("border.officer", "GET", path, NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(str(r.json, "country"), "UZ");
	cr_assert_str_eq(str(r.json, "endpoint"), "https://customs.uz", "no trailing /");
	cr_assert_str_eq(str(r.json, "did"), "did:web:customs.uz");
	cr_assert_str_eq(str(r.json, "status"), "active");
	cr_assert_str_eq(str(json_array_get(json_object_get(r.json, "keys"), 0), "id"), "key-1",
			 "the key id is the fragment: %s", r.body);
	mra = json_object_get(json_object_get(r.json, "agreements"), "mra");
	cr_assert_str_eq(str(mra, "since"), "2025-06-01");
	cr_assert_eq(json_array_size(json_object_get(mra, "aeo_types")), 2);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(mra, "aeo_types"), 0)),
			 "AEOS");
	cr_assert_null(
		json_object_get(json_object_get(r.json, "agreements"), "certificates_of_origin"));
	test_response_free(&r);

	/* By DID too; in a list filtered by country and status. */
	cr_assert_eq(call("auditor", "GET", "/api/v1/exchange/partners/did:web:customs.uz", NULL, &r),
		     200, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET",
			  "/api/v1/exchange/partners?country=UZ&status=active", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("aeo.officer", "GET", "/api/v1/exchange/partners?country=KG", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 0, "%s", r.body);
	test_response_free(&r);

	/* Least privilege. */
	cr_assert_eq(call("border.officer", "POST", "/api/v1/exchange/partners", uzbekistan, NULL),
		     403);
	cr_assert_eq(call("trader", "GET", "/api/v1/exchange/partners", NULL, NULL), 403);
	cr_assert_eq(call("partner.uz", "GET", "/api/v1/exchange/partners", NULL, NULL), 403);
	cr_assert_eq(call(NULL, "GET", "/api/v1/exchange/partners", NULL, NULL), 401);
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/partners/no-such", NULL, NULL), 404);
}

Test(partners, a_partner_is_changed_and_deactivated_never_deleted)
{
	struct test_response r;
	char id[64], path[128];

	register_uzbekistan(id);
	snprintf(path, sizeof(path), "/api/v1/exchange/partners/%s", id);
	/* A second key while the partner rotates; the MRA ends, origin certificates begin. */
	cr_assert_eq(call("admin", "PATCH", path,
			  "{\"keys\": [{\"id\": \"key-1\", \"publicKeyMultibase\": \"" KEY1 "\"},"
			  " {\"id\": \"key-2\", \"publicKeyMultibase\": \"" KEY2 "\"}],"
			  " \"agreements\": {\"mra\": null, \"certificates_of_origin\":"
			  " {\"since\": \"2026-01-01\", \"until\": \"2030-12-31\"}}}",
			  &r),
		     200, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "keys")), 2, "%s", r.body);
	cr_assert_null(json_object_get(json_object_get(r.json, "agreements"), "mra"), "%s", r.body);
	cr_assert_str_eq(str(json_object_get(json_object_get(r.json, "agreements"),
					     "certificates_of_origin"),
			     "until"),
			 "2030-12-31");
	cr_assert_str_eq(str(json_object_get(json_object_get(r.json, "agreements"), "advance_cargo"),
			     "since"),
			 "2025-09-01", "an agreement not sent is kept");
	test_response_free(&r);

	cr_assert_eq(call("admin", "PATCH", path,
			  "{\"country\": \"KG\", \"did\": \"did:web:x.kg\", \"name\": \"\"}", &r),
		     422);
	cr_assert_eq(json_array_size(json_object_get(r.json, "errors")), 3, "%s", r.body);
	test_response_free(&r);

	cr_assert_eq(call("admin", "DELETE", path, NULL, &r), 200, "%s", r.body);
	cr_assert_str_eq(str(r.json, "status"), "inactive");
	test_response_free(&r);
	cr_assert_eq(call("admin", "GET", path, NULL, &r), 200, "still there: %s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("admin", "PATCH", path, "{\"status\": \"active\"}", &r), 200);
	cr_assert_str_eq(str(r.json, "status"), "active");
	test_response_free(&r);
	cr_assert_eq(call("admin", "DELETE", "/api/v1/exchange/partners/no-such", NULL, NULL), 404);
	cr_assert_eq(call("admin", "PATCH", "/api/v1/exchange/partners/no-such",
			  "{\"name\": \"x\"}", NULL),
		     404);
	/* The same DID twice is a conflict. */
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners", uzbekistan, &r), 409, "%s",
		     r.body);
	test_response_free(&r);
}

/* Is field among the errors of r? */
static int names(const struct test_response *r, const char *field)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(r->json, "errors"), i, e)
		if (!strcmp(str(e, "field"), field))
			return 1;
	return 0;
}

Test(partners, garbage_is_refused_naming_every_field_and_nothing_is_stored)
{
	static const char *const fields[] = {"country",
					     "name",
					     "endpoint",
					     "did",
					     "keys[0].id",
					     "keys[1].publicKeyMultibase",
					     "status",
					     "agreements.mra.since",
					     "agreements.mra.aeo_types",
					     "agreements.advance_cargo.until",
					     "agreements.barter",
					     "colour"};
	struct test_response r;

	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners",
			  "{\"country\": \"KZ\", \"name\": 7, \"endpoint\": \"ftp://customs.uz?x=1\","
			  " \"did\": \"did:key:z6Mk\", \"keys\": [{\"id\": \"key 1\", \"publicKeyMultibase\":"
			  " \"" KEY1 "\"}, {\"id\": \"key-2\", \"publicKeyMultibase\": \"zDnaeq\"}],"
			  " \"status\": \"sleeping\", \"agreements\": {\"mra\": {\"since\": \"2025-02-30\","
			  " \"aeo_types\": [\"AEOS\", \"AEOS\"]}, \"advance_cargo\": {\"since\":"
			  " \"2025-06-01\", \"until\": \"2025-01-01\"}, \"barter\": {}}, \"colour\": \"blue\"}",
			  &r),
		     422, "%s", r.body);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cr_assert(names(&r, fields[i]), "%s is not named: %s", fields[i], r.body);
	test_response_free(&r);
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners", "{}", &r), 422);
	cr_assert(names(&r, "country") && names(&r, "name") && names(&r, "endpoint") &&
			  names(&r, "did") && names(&r, "keys"),
		  "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners", "[1]", NULL), 400);
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners",
			  "{\"country\": \"UZ\", \"name\": \"x\", \"endpoint\": \"https://x.uz\","
			  " \"did\": \"did:web:x.uz\", \"keys\": [], \"did_document\": {}}",
			  &r),
		     422);
	cr_assert(names(&r, "did_document"), "%s", r.body);
	test_response_free(&r);
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/partners", NULL, &r), 200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 0, "nothing stored: %s",
		     r.body);
	test_response_free(&r);
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/partners?limit=0&status=x", NULL, &r),
		     422);
	cr_assert(names(&r, "limit") && names(&r, "status"), "%s", r.body);
	test_response_free(&r);
}

/* text with every from replaced by to (free it). */
static char *replace(const char *text, const char *from, const char *to)
{
	size_t n = 0, lf = strlen(from), lt = strlen(to);
	char *out, *w;

	for (const char *p = text; (p = strstr(p, from)); p += lf)
		n++;
	out = malloc(strlen(text) + n * lt + 1);
	cr_assert(out);
	for (w = out; *text;) {
		if (!strncmp(text, from, lf)) {
			memcpy(w, to, lt);
			w += lt;
			text += lf;
		} else {
			*w++ = *text++;
		}
	}
	*w = '\0';
	return out;
}

Test(partners, a_partner_is_registered_from_its_did_document)
{
	struct test_response r;
	char body[4096], *own, *other;

	/* This node's own document stands in for a partner's, under another name. */
	test_http(&srv, "GET", "/.well-known/did.json", NULL, NULL, &r);
	cr_assert_eq(r.status, 200);
	own = json_dumps(r.json, JSON_COMPACT);
	other = replace(own, str(r.json, "id"), "did:web:customs.kg");
	test_response_free(&r);
	/* The node's own DID is refused... */
	snprintf(body, sizeof(body),
		 "{\"country\": \"KG\", \"name\": \"State Customs Service of Kyrgyzstan\","
		 " \"endpoint\": \"https://customs.kg\", \"did_document\": %s}",
		 own);
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners", body, &r), 422, "%s",
		     r.body);
	cr_assert(names(&r, "did"), "%s", r.body);
	test_response_free(&r);
	/* ...another one is taken with its keys. */
	snprintf(body, sizeof(body),
		 "{\"country\": \"KG\", \"name\": \"State Customs Service of Kyrgyzstan\","
		 " \"endpoint\": \"https://customs.kg\", \"did_document\": %s}",
		 other);
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners", body, &r), 201, "%s",
		     r.body);
	cr_assert_str_eq(str(r.json, "did"), "did:web:customs.kg");
	cr_assert_str_eq(str(json_array_get(json_object_get(r.json, "keys"), 0), "id"), "key-1");
	test_response_free(&r);
	free(own);
	free(other);
}

Test(partners, the_mra_partners_recognising_a_type_are_found_for_sending)
{
	struct store *store;
	struct store_conn *conn;
	json_t *ids;
	char id[64];

	register_uzbekistan(id);
	cr_assert_eq(call("admin", "POST", "/api/v1/exchange/partners",
			  "{\"country\": \"CN\", \"name\": \"GACC\", \"endpoint\": \"https://gacc.cn\","
			  " \"did\": \"did:web:gacc.cn\", \"keys\": [{\"id\": \"key-1\","
			  " \"publicKeyMultibase\": \"" KEY2 "\"}], \"agreements\": {\"mra\":"
			  " {\"since\": \"2027-01-01\", \"aeo_types\": [\"AEOS\"]}}}",
			  NULL),
		     201);
	cr_assert_eq(store_open(srv.db_url, &store, NULL), CV_OK);
	cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
	cr_assert_eq(exchange_partners_agreed(conn, EXCHANGE_MRA, "AEOS", "2026-06-01", &ids),
		     CV_OK);
	cr_assert_eq(json_array_size(ids), 1, "China's MRA starts in 2027");
	cr_assert_str_eq(json_string_value(json_array_get(ids, 0)), id);
	json_decref(ids);
	cr_assert_eq(exchange_partners_agreed(conn, EXCHANGE_MRA, "AEOC", "2026-06-01", &ids),
		     CV_OK);
	cr_assert_eq(json_array_size(ids), 0, "no MRA recognises AEOC");
	json_decref(ids);
	cr_assert_eq(exchange_partners_agreed(conn, EXCHANGE_MRA, "AEOS", "2027-06-01", &ids),
		     CV_OK);
	cr_assert_eq(json_array_size(ids), 2);
	json_decref(ids);
	cr_assert_eq(exchange_partners_agreed(conn, EXCHANGE_ADVANCE_CARGO, NULL, "2025-09-01", &ids),
		     CV_OK);
	cr_assert_eq(json_array_size(ids), 1);
	json_decref(ids);
	store_close(store);
}

Test(partners, partners_are_added_from_the_command_line_with_an_audit_row)
{
	char args[1024], *out;

	snprintf(args, sizeof(args),
		 "exchange partner add --db %s --country KG --name 'Customs of Kyrgyzstan'"
		 " --endpoint https://customs.kg --did did:web:customs.kg --key key-1=" KEY2
		 " --mra-since 2026-01-01 --mra-types AEOS,AEOF --origin-since 2026-01-01",
		 srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "partner KG registered"), "%s", out);
	free(out);
	cr_assert_eq(test_cli(args, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, "registered already"), "%s", out);
	free(out);
	snprintf(args, sizeof(args),
		 "exchange partner add --db %s --country KG --name x --endpoint nowhere"
		 " --did did:web:y.kg --key key-1=zzz",
		 srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, "endpoint: must be") && strstr(out, "publicKeyMultibase"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "exchange partner list --db %s", srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	cr_assert(strstr(out, "did:web:customs.kg"), "%s", out);
	free(out);
	cr_assert_eq(test_cli("exchange partner remove", NULL, &out), 2);
	free(out);
	{
		struct store *store;
		struct store_conn *conn;
		struct store_stmt *stmt;

		cr_assert_eq(store_open(srv.db_url, &store, NULL), CV_OK);
		cr_assert_eq(store_conn(store, &conn, NULL), CV_OK);
		cr_assert_eq(store_query_row(conn, &stmt,
					     "SELECT actor, detail FROM audit_log WHERE action = $1",
					     "t", "exchange.partner_create"),
			     CV_OK);
		cr_assert(!strncmp(store_col_text(stmt, 0), "cli:", 4));
		cr_assert(strstr(store_col_text(stmt, 1), "did:web:customs.kg"), "%s",
			  store_col_text(stmt, 1));
		store_finish(stmt);
		store_close(store);
	}
}

#define FIXTURE_SHA256 "b52a655fd463e7a2b09b67b79b156da56745fd6ef92623389d14260ef2b383b8"

Test(partners, a_partners_client_certificate_is_registered_by_its_sha256)
{
	struct test_response r;
	char id[64], path[128], args[1024], *out;

	register_uzbekistan(id);
	snprintf(path, sizeof(path), "/api/v1/exchange/partners/%s", id);
	cr_assert_eq(call("admin", "GET", path, NULL, &r), 200);
	cr_assert(json_is_null(json_object_get(r.json, "tls_certificate_sha256")), "%s", r.body);
	test_response_free(&r);
	/* As openssl -fingerprint prints it: colons and capitals, normalized. */
	cr_assert_eq(call("admin", "PATCH", path,
			  "{\"tls_certificate_sha256\": \"B5:2A:65:5F:D4:63:E7:A2:B0:9B:67:B7:9B:15:"
			  "6D:A5:67:45:FD:6E:F9:26:23:38:9D:14:26:0E:F2:B3:83:B8\"}",
			  &r),
		     200, "%s", r.body);
	cr_assert_str_eq(str(r.json, "tls_certificate_sha256"), FIXTURE_SHA256);
	test_response_free(&r);
	/* Garbage is named and changes nothing. */
	static const char *const bad[] = {
		"{\"tls_certificate_sha256\": \"xyz\"}",
		"{\"tls_certificate_sha256\": \"" FIXTURE_SHA256 "00\"}",
		"{\"tls_certificate_sha256\": \"b52a655fd463e7a2\"}",
		"{\"tls_certificate_sha256\": 42}",
		"{\"tls_certificate_sha256\": \"-----BEGIN CERTIFICATE-----\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(call("admin", "PATCH", path, bad[i], &r), 422, "%s: %s", bad[i],
			     r.body);
		cr_assert(names(&r, "tls_certificate_sha256"), "%s", r.body);
		test_response_free(&r);
	}
	cr_assert_eq(call("admin", "GET", path, NULL, &r), 200);
	cr_assert_str_eq(str(r.json, "tls_certificate_sha256"), FIXTURE_SHA256);
	test_response_free(&r);
	/* null: no certificate required any more. */
	cr_assert_eq(call("admin", "PATCH", path, "{\"tls_certificate_sha256\": null}", &r), 200);
	cr_assert(json_is_null(json_object_get(r.json, "tls_certificate_sha256")), "%s", r.body);
	test_response_free(&r);

	/* From the command line, from the certificate's PEM file. */
	snprintf(args, sizeof(args),
		 "exchange partner add --db %s --country TJ --name 'Customs of Tajikistan'"
		 " --endpoint https://customs.tj --did did:web:customs.tj --key key-1=" KEY2
		 " --tls-certificate tests/fixtures/tls/client.pem",
		 srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	free(out);
	cr_assert_eq(call("admin", "GET", "/api/v1/exchange/partners/did:web:customs.tj", NULL, &r),
		     200);
	cr_assert_str_eq(str(r.json, "tls_certificate_sha256"), FIXTURE_SHA256, "%s", r.body);
	test_response_free(&r);
	snprintf(args, sizeof(args),
		 "exchange partner add --db %s --country KG --name x --endpoint https://customs.kg"
		 " --did did:web:customs.kg --key key-1=" KEY2 " --tls-certificate README.md",
		 srv.db_url);
	cr_assert_eq(test_cli(args, NULL, &out), 1, "%s", out);
	cr_assert(strstr(out, "no PEM certificate"), "%s", out);
	free(out);
}
