/*
 * test_mra.c — mutual recognition between two real nodes: KZ and UZ run
 * `caravan serve` on loopback ports with their own databases and keys,
 * register each other (MRA recognising AEOS and AEOF) through the API, and
 * then, with nothing but the delivery workers in between:
 *  - an AEOS granted in KZ (holder consenting) appears in UZ's partner-AEO
 *    register, and UZ's engine gives an import from that operator,
 *    dispatched from KZ, the MRA benefit (aeo = partner);
 *  - a suspension in KZ reaches UZ and the benefit stops in UZ's next
 *    decision; a lift brings it back;
 *  - with UZ down, a change waits in KZ's outbox and is applied once after
 *    UZ restarts.
 */
#include "support/server.h"

#include "exchange/node.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct test_server kz, uz;
static const char *const kz_args[] =
	{"--exchange-poll-ms",         "100", "--exchange-backoff-max", "1", "--public-url",
	 "https://customs.kz.example", NULL};
static const char *const uz_args[] = {"--exchange-poll-ms",
				      "100",
				      "--exchange-backoff-max",
				      "1",
				      "--node-country",
				      "UZ",
				      "--public-url",
				      "https://customs.uz.example",
				      NULL};

static void start(void)
{
	struct cv_error err;

	test_server_start(&kz, kz_args);
	/* UZ: the same demo data, but a key of its own. */
	test_server_prepare(&uz);
	cr_assert_eq(unlink(uz.key_path), 0);
	cr_assert_eq(exchange_node_key_create(uz.key_path, &err), CV_OK, "%s", err.message);
	test_server_spawn(&uz, uz_args);
}

static void stop(void)
{
	test_server_stop(&uz);
	test_server_stop(&kz);
}

TestSuite(mra, .init = start, .fini = stop, .timeout = 120);

/* Register other (its country, DID document and endpoint) as a partner of self. */
static void register_partner(struct test_server *self, struct test_server *other,
			     const char *country)
{
	struct test_response did, r;
	json_t *body;
	char endpoint[64], *text;

	cr_assert_eq(test_call(other, NULL, "GET", "/.well-known/did.json", NULL, &did), 200);
	snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", other->port);
	body = json_pack("{s:s, s:s, s:s, s:O, s:{s:{s:s, s:[s, s]}, s:{s:s}}}", "country", country,
			 "name", country, "endpoint", endpoint, "did_document", did.json,
			 "agreements", "mra", "since", "2025-06-01", "aeo_types", "AEOS", "AEOF",
			 "advance_cargo", "since", "2025-06-01");
	text = json_dumps(body, 0);
	cr_assert_eq(test_call(self, "admin", "POST", "/api/v1/exchange/partners", text, &r), 201,
		     "%s", r.body);
	free(text);
	json_decref(body);
	test_response_free(&r);
	test_response_free(&did);
}

/* UZ's register entry for the KZ operator tin, waiting up to 20 s for status. */
static int wait_register(const char *tin, const char *status)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/v1/partner-aeo?country=KZ&id=%s", tin);
	for (int i = 0; i < 200; i++) {
		struct test_response r;
		json_t *e;
		int found;
		cr_assert_eq(test_call(&uz, "risk.analyst", "GET", path, NULL, &r), 200, "%s",
			     r.body);
		e = json_array_get(json_object_get(r.json, "items"), 0);
		found = e && !strcmp(json_string_value(json_object_get(e, "status")), status);
		test_response_free(&r);
		if (found)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/* KZ's AEO officer changes the authorization. */
static void change(const char *authorization_id, const char *body)
{
	char path[128];
	struct test_response r;

	snprintf(path, sizeof(path), "/api/v1/authorizations/%s/transitions", authorization_id);
	cr_assert_eq(test_call(&kz, "aeo.officer", "POST", path, body, &r), 200, "%s", r.body);
	test_response_free(&r);
}

/* UZ decides the lane of its declaration again; returns its aeo status (static). */
static const char *uz_aeo(const char *declaration_id)
{
	static char aeo[16];
	char path[128];
	struct test_response r;

	snprintf(path, sizeof(path), "/api/v1/declarations/%s/risk", declaration_id);
	cr_assert_eq(test_call(&uz, "risk.analyst", "POST", path, NULL, &r), 201, "%s", r.body);
	snprintf(aeo, sizeof(aeo), "%s", json_string_value(json_object_get(r.json, "aeo")));
	test_response_free(&r);
	return aeo;
}

Test(mra, a_kz_authorization_gives_the_benefit_in_uz_and_its_suspension_takes_it_away)
{
	char number[64], authorization_id[64], tin[64], declaration_id[64], body[1400];
	struct test_response r;

	register_partner(&kz, &uz, "UZ");
	register_partner(&uz, &kz, "KZ");

	/* The demo trader of KZ becomes AEOS there, consenting to MRA sharing. */
	test_grant(&kz, "AEOS", number, authorization_id);
	cr_assert_eq(test_call(&kz, "trader", "GET", "/api/v1/operators", NULL, &r), 200);
	snprintf(tin, sizeof(tin), "%s",
		 json_string_value(
			 json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
					 "tin")));
	test_response_free(&r);
	cr_assert(wait_register(tin, "valid"), "the authorization never reached UZ");

	/* In UZ, an import whose seller is that KZ operator, dispatched from KZ. */
	snprintf(body, sizeof(body),
		 "{\"direction\": \"import\", \"procedure\": \"4000\", \"office\": \"KZ-ALA\","
		 " \"declarant\": \"KZ123456789012\", \"importer\": \"KZ123456789012\","
		 " \"exporter\": \"%s\", \"seller\": \"%s\", \"departure\": \"KZ\","
		 " \"destination\": \"UZ\", \"transport\": {\"mode\": \"3\"},"
		 " \"items\": [{\"hs\": \"52081100\", \"description\": \"Cotton fabric\","
		 " \"origin\": \"KZ\", \"quantity\": 100, \"unit\": \"MTR\", \"net_mass\": 40,"
		 " \"value\": {\"amount\": 150000, \"currency\": \"USD\"}}]}",
		 tin, tin);
	cr_assert_eq(test_call(&uz, "trader", "POST", "/api/v1/declarations", body, &r), 201, "%s",
		     r.body);
	snprintf(declaration_id, sizeof(declaration_id), "%s",
		 json_string_value(json_object_get(r.json, "id")));
	test_response_free(&r);
	cr_assert_str_eq(uz_aeo(declaration_id), "partner");

	/* Suspended in KZ: UZ hears of it, and the benefit stops. */
	change(authorization_id, "{\"action\": \"suspend\", \"ground\": \"conditions_not_met\","
				 " \"reason\": \"security plan out of date\"}");
	cr_assert(wait_register(tin, "suspended"), "the suspension never reached UZ");
	cr_assert_str_eq(uz_aeo(declaration_id), "none");

	/* UZ down while KZ lifts the suspension: nothing is lost, nothing applied twice. */
	test_server_kill(&uz);
	change(authorization_id, "{\"action\": \"lift\", \"reason\": \"plan updated\"}");
	sleep(1);
	test_server_restart(&uz);
	/* The endpoint UZ was registered with in KZ is its old port: tell KZ the new one. */
	{
		char patch[96], path[200];
		struct test_response p;
		snprintf(patch, sizeof(patch), "{\"endpoint\": \"http://127.0.0.1:%d\"}", uz.port);
		cr_assert_eq(test_call(&kz, "admin", "GET", "/api/v1/exchange/partners?country=UZ",
				       NULL, &p),
			     200);
		snprintf(path, sizeof(path), "/api/v1/exchange/partners/%s",
			 json_string_value(
				 json_object_get(json_array_get(json_object_get(p.json, "items"), 0),
						 "id")));
		test_response_free(&p);
		cr_assert_eq(test_call(&kz, "admin", "PATCH", path, patch, &p), 200, "%s", p.body);
		test_response_free(&p);
	}
	if (!wait_register(tin, "valid")) {
		test_call(&kz, "admin", "GET", "/api/v1/exchange/messages", NULL, &r);
		cr_assert(0, "the lift never reached UZ after its restart: KZ says %s", r.body);
	}
	cr_assert_str_eq(uz_aeo(declaration_id), "partner");
	cr_assert_eq(test_call(&uz, "admin", "GET", "/api/v1/exchange/messages?direction=in", NULL,
			       &r),
		     200, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 3,
		     "granted, suspended, lifted: each once: %s", r.body);
	test_response_free(&r);
}
