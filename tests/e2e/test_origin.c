/*
 * test_origin.c — electronic certificates of origin between two real
 * nodes: KZ's chamber of commerce issues a certificate for cotton going to
 * UZ; KZ's node signs it and delivers it; UZ's node keeps it, fetches KZ's
 * status list, and decides the preference its import declarations claim:
 *  - the certificate covers the goods: preference accepted, no duty;
 *  - more cotton than certified, or another HS: refused, the general
 *    rate, each reason on its item;
 *  - a certificate UZ never received: refused;
 *  - goods from a country without electronic certificates: the paper one;
 *  - revoked in KZ: UZ refuses it once it has fetched the list again.
 */
#include "support/server.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server kz, uz;

static void start(void) { test_nodes_start(&kz, &uz); }
static void stop(void) { test_nodes_stop(&kz, &uz); }

TestSuite(origin, .init = start, .fini = stop, .timeout = 120);

#define WAIT_STEP_MS 100
#define WAIT_MAX_STEPS 150 /* 15 s */

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

#define ORIGIN_AGREEMENT "{\"certificates_of_origin\": {\"since\": \"2025-06-01\"}}"

static void register_partner(const struct test_server *at, const struct test_server *partner,
			     const char *country)
{
	test_register_partner(at, partner, country, ORIGIN_AGREEMENT);
}

/* KZ's chamber certifies 20,000 kg of Kazakh raw cotton for Steppe Trading in UZ; number out. */
static void issue(char number[64], char id[64])
{
	static const char body[] =
		"{\"arrangement\": \"CIS-FTA\", \"importing_country\": \"UZ\","
		" \"exporter\": {\"id\": \"KZ987654321098\"},"
		" \"importer\": {\"id\": \"KZ123456789012\", \"name\": \"Steppe Trading LLP\"},"
		" \"consignment\": {\"mode\": \"3\", \"vehicle\": \"KZ123ABC02\","
		" \"invoice\": \"INV-2026-118\"},"
		" \"items\": [{\"hs\": \"520100\", \"description\": \"Cotton, not carded or combed\","
		" \"quantity\": 20000, \"unit\": \"KGM\", \"gross_mass\": 20400, \"origin\": \"KZ\","
		" \"criterion\": \"WO\"}]}";
	struct test_response r;

	cr_assert_eq(test_call(&kz, "origin.officer", "POST", "/api/v1/certificates-of-origin",
			       body, &r),
		     201, "%s", r.body);
	cr_assert_str_eq(str(json_object_get(r.json, "sent_to"), "partner"), uz.did, "%s", r.body);
	cr_assert_str_eq(str(r.json, "status"), "valid");
	snprintf(number, 64, "%s", str(r.json, "number"));
	snprintf(id, 64, "%s", str(r.json, "id"));
	test_response_free(&r);
}

/* Wait until UZ holds certificate number as received from KZ. */
static void wait_received(const char *number)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/v1/certificates-of-origin?direction=received&number=%s",
		 number);
	for (int i = 0; i < WAIT_MAX_STEPS; i++) {
		struct test_response r;
		size_t n;

		cr_assert_eq(test_call(&uz, "border.officer", "GET", path, NULL, &r), 200, "%s",
			     r.body);
		n = json_array_size(json_object_get(r.json, "items"));
		test_response_free(&r);
		if (n == 1)
			return;
		usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert_fail("certificate %s never reached UZ", number);
}

/* Steppe Trading's import into UZ of cotton from KZ, claiming CIS-FTA under certificate. */
static void lodge(const char *hs, const char *origin, int kg, const char *certificate,
		  char path[160])
{
	struct test_response r;
	char body[1200];

	snprintf(body, sizeof(body),
		 "{\"direction\": \"import\", \"office\": \"KZ-KHO\", \"declarant\": \"KZ123456789012\","
		 " \"importer\": \"KZ123456789012\", \"departure\": \"KZ\", \"transport\": {\"mode\": \"3\"},"
		 " \"items\": [{\"hs\": \"%s\", \"description\": \"Raw cotton\", \"origin\": \"%s\","
		 " \"quantity\": %d, \"unit\": \"KGM\", \"net_mass\": %d,"
		 " \"value\": {\"amount\": 3000000, \"currency\": \"USD\"}, \"preference\": \"CIS-FTA\","
		 " \"certificate_of_origin\": \"%s\"}]}",
		 hs, origin, kg, kg, certificate);
	cr_assert_eq(test_call(&uz, "trader", "POST", "/api/v1/declarations", body, &r), 201, "%s",
		     r.body);
	snprintf(path, 160, "/api/v1/declarations/%s/assessment", str(r.json, "number"));
	test_response_free(&r);
}

/*
 * The line of the assessment at path once the claim's status is known
 * (UZ fetches KZ's status list a moment after the certificate arrives);
 * *line must be json_decref()'d.
 */
static json_t *line_of(const char *path, const char *unless_reason)
{
	for (int i = 0; i < WAIT_MAX_STEPS; i++) {
		struct test_response r;
		json_t *line, *reasons;
		int waiting = 0;
		size_t k;
		json_t *v;

		cr_assert_eq(test_call(&uz, "border.officer", "GET", path, NULL, &r), 200, "%s",
			     r.body);
		line = json_array_get(json_object_get(r.json, "lines"), 0);
		reasons = json_object_get(json_object_get(line, "preference"), "reasons");
		json_array_foreach(reasons, k, v) {
			waiting |= strstr(str(v, "reason"), unless_reason) != NULL;
		}
		json_incref(line);
		test_response_free(&r);
		if (!waiting)
			return line;
		json_decref(line);
		usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert_fail("%s: the claim's status never became known", path);
	return NULL;
}

static int has_reason(const json_t *line, const char *check, const char *text)
{
	json_t *reasons = json_object_get(json_object_get(line, "preference"), "reasons"), *v;
	size_t k;

	json_array_foreach(reasons, k, v) {
		if (!strcmp(str(v, "check"), check) && strstr(str(v, "reason"), text))
			return 1;
	}
	return 0;
}

#define NOT_FETCHED "not known yet"

Test(origin, a_certificate_from_kz_gives_the_preference_in_uz_only_for_the_goods_it_covers)
{
	char number[64], id[64], path[160];
	json_t *line, *preference;

	register_partner(&kz, &uz, "UZ");
	register_partner(&uz, &kz, "KZ");
	issue(number, id);
	wait_received(number);

	/* The goods certified: preference accepted, CIS-FTA's 0 % instead of the general 5 %. */
	lodge("5201000000", "KZ", 20000, number, path);
	line = line_of(path, NOT_FETCHED);
	preference = json_object_get(line, "preference");
	cr_assert(json_is_true(json_object_get(preference, "electronic")));
	cr_assert(json_is_true(json_object_get(preference, "accepted")), "%s", json_dumps(line, 0));
	cr_assert_eq(json_array_size(json_object_get(preference, "reasons")), 0);
	cr_assert_eq(json_integer_value(json_object_get(line, "duty")), 0);
	cr_assert(strstr(str(line, "rate_source"), "CIS-FTA"), "%s", str(line, "rate_source"));
	json_decref(line);

	/* The same 20,000 kg again: the certificate was used up by the first declaration. */
	lodge("5201000000", "KZ", 20000, number, path);
	line = line_of(path, NOT_FETCHED);
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "accepted")));
	cr_assert(has_reason(line, "items", "earlier declarations drew on it"), "%s",
		  json_dumps(line, 0));
	cr_assert_gt(json_integer_value(json_object_get(line, "duty")), 0);
	json_decref(line);

	/* 5,000 kg more than certified: refused on its item, the general rate applies. */
	lodge("5201000000", "KZ", 25000, number, path);
	line = line_of(path, NOT_FETCHED);
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "accepted")));
	cr_assert(has_reason(line, "items", "quantity"), "%s", json_dumps(line, 0));
	cr_assert_gt(json_integer_value(json_object_get(line, "duty")), 0);
	cr_assert(!strstr(str(line, "rate_source"), "CIS-FTA"));
	json_decref(line);

	/* Carded cotton (5203) is not what the certificate names. */
	lodge("5203000000", "KZ", 20000, number, path);
	line = line_of(path, NOT_FETCHED);
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "accepted")));
	cr_assert(has_reason(line, "items", "hs"), "%s", json_dumps(line, 0));
	json_decref(line);

	/* A number KZ never sent: refused, whatever the trader declares. */
	lodge("5201000000", "KZ", 20000, "KZ-CO-2026-999999", path);
	line = line_of(path, NOT_FETCHED);
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "accepted")));
	cr_assert(has_reason(line, "received", "KZ-CO-2026-999999"), "%s", json_dumps(line, 0));
	json_decref(line);

	/* Kyrgyz cotton: no electronic certificates from KG, the paper one stands. */
	lodge("5201000000", "KG", 20000, "KG-CT1-2026-0042", path);
	line = line_of(path, NOT_FETCHED);
	preference = json_object_get(line, "preference");
	cr_assert(json_is_false(json_object_get(preference, "electronic")));
	cr_assert(json_is_true(json_object_get(preference, "accepted")));
	cr_assert_eq(json_integer_value(json_object_get(line, "duty")), 0);
	json_decref(line);
}

Test(origin, a_certificate_revoked_in_kz_is_refused_in_uz)
{
	char number[64], id[64], path[160], revoke[160];
	struct test_response r;
	json_t *line;

	register_partner(&kz, &uz, "UZ");
	register_partner(&uz, &kz, "KZ");
	issue(number, id);
	wait_received(number);
	lodge("5201000000", "KZ", 20000, number, path);
	line = line_of(path, NOT_FETCHED);
	cr_assert(json_is_true(json_object_get(json_object_get(line, "preference"), "accepted")));
	json_decref(line);

	/* The chamber finds the cotton was not wholly obtained in KZ. */
	snprintf(revoke, sizeof(revoke), "/api/v1/certificates-of-origin/%s/revocation", number);
	cr_assert_eq(test_call(&kz, "origin.officer", "POST", revoke,
			       "{\"reason\": \"origin criterion not met (verification visit)\"}", &r),
		     200, "%s", r.body);
	cr_assert_str_eq(str(r.json, "status"), "revoked");
	test_response_free(&r);

	/* UZ fetches KZ's list again (every second in tests) and refuses the claim. */
	for (int i = 0; i < WAIT_MAX_STEPS; i++) {
		line = line_of(path, NOT_FETCHED);
		if (has_reason(line, "status", "revoked"))
			break;
		json_decref(line);
		line = NULL;
		usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert(line, "UZ never saw the revocation");
	cr_assert(json_is_false(json_object_get(json_object_get(line, "preference"), "accepted")));
	cr_assert_gt(json_integer_value(json_object_get(line, "duty")), 0);
	json_decref(line);
}

Test(origin, a_certificate_uz_has_no_agreement_for_is_refused_and_recorded)
{
	char number[64], id[64];
	struct test_response r;
	json_t *m;
	size_t i;
	int refused = 0;

	/* KZ sends certificates to UZ; UZ never agreed to take them. */
	register_partner(&kz, &uz, "UZ");
	test_register_partner(&uz, &kz, "KZ", "{\"advance_cargo\": {\"since\": \"2025-06-01\"}}");
	issue(number, id);
	for (int k = 0; k < WAIT_MAX_STEPS && !refused; k++) {
		cr_assert_eq(test_call(&uz, "admin", "GET",
				       "/api/v1/exchange/messages?state=refused", NULL, &r),
			     200, "%s", r.body);
		json_array_foreach(json_object_get(r.json, "items"), i, m) {
			refused |= str(m, "detail") &&
				   strstr(str(m, "detail"),
					  "no agreement on certificates of origin");
		}
		test_response_free(&r);
		if (!refused)
			usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert(refused, "UZ never recorded its refusal");
	cr_assert_eq(test_call(&uz, "border.officer", "GET",
			       "/api/v1/certificates-of-origin?direction=received", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 0, "%s", r.body);
	test_response_free(&r);
}
