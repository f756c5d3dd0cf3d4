/*
 * test_mtls.c — two nodes over HTTPS with mutual TLS, besides the
 * signatures: each serves with a certificate of a test CA, asks clients
 * for one, and has registered the other's client certificate. A document
 * from KZ arrives over such a connection; the same document signed by KZ
 * but posted without KZ's certificate (none, a stranger's, UZ's own) is
 * refused, and recorded.
 */
#include "support/server.h"

#include "exchange/partners.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct test_server kz, uz;
static char pki[] = "/tmp/caravan-pki-XXXXXX";

static void start(void)
{
	cr_assert(mkdtemp(pki));
	test_pki_make(pki);
	test_node_start_tls(&kz, "KZ", "State Revenue Committee of Kazakhstan", pki, "kz");
	test_node_start_tls(&uz, "UZ", "State Customs Committee of Uzbekistan", pki, "uz");
}

static void stop(void)
{
	char cmd[128];

	test_nodes_stop(&kz, &uz);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pki);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(mtls, .init = start, .fini = stop, .timeout = 120);

#define WAIT_STEP_MS 100
#define WAIT_MAX_STEPS 100

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* at registers partner, requiring the client certificate pki/who.pem. */
static void register_with_certificate(struct test_server *at, struct test_server *partner,
				      const char *country, const char *who)
{
	char path[400], sha256[EXCHANGE_TLS_SHA256_HEX + 1], body[200], *pem;
	struct cv_error err;
	size_t size;
	FILE *f;

	test_register_partner(at, partner, country,
			      "{\"mra\": {\"since\": \"2025-06-01\", \"aeo_types\": [\"AEOS\"]}}");
	snprintf(path, sizeof(path), "%s/%s.pem", pki, who);
	f = fopen(path, "r");
	cr_assert(f);
	pem = calloc(1, 8192);
	size = fread(pem, 1, 8191, f);
	fclose(f);
	cr_assert_gt(size, 0);
	cr_assert_eq(exchange_tls_certificate_sha256(pem, sha256, &err), CV_OK, "%s", err.message);
	free(pem);
	snprintf(body, sizeof(body), "{\"tls_certificate_sha256\": \"%s\"}", sha256);
	/* The DID in the path, its % escaped. */
	snprintf(path, sizeof(path), "/api/v1/exchange/partners/%.*s%%25%s",
		 (int)(strchr(partner->did, '%') - partner->did), partner->did,
		 strchr(partner->did, '%') + 1);
	cr_assert_eq(test_call(at, "admin", "PATCH", path, body, NULL), 200, "%s", path);
}

/* KZ's key signs a test document (caravan doc sign), into out (the caller frees it). */
static char *signed_by_kz(const char *note)
{
	char path[400], args[1200], *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/doc.json", pki);
	f = fopen(path, "w");
	cr_assert(f);
	fprintf(f,
		"{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
		" \"id\": \"urn:uuid:0b6a9d1e-5c1f-4f0e-9a57-%012d\","
		" \"type\": [\"VerifiableCredential\", \"ExchangeTest\"], \"issuer\": \"%s\","
		" \"credentialSubject\": {\"note\": \"%s\"}}",
		(int)strlen(note), kz.did, note);
	fclose(f);
	snprintf(args, sizeof(args), "doc sign --key %s --verification-method '%s#key-1' %s",
		 kz.key_path, kz.did, path);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	return out;
}

/*
 * POST a document signed by KZ to UZ's inbox, showing the client
 * certificate pki/who.pem (NULL: none); the status. A refusal must be
 * KZ's unknown_sender for mutual TLS.
 */
static long post_as(const char *who, const char *note)
{
	const char *headers[] = {"Content-Type: application/json", NULL};
	struct test_response r;
	char *doc = signed_by_kz(note);
	long status;

	uz.client_cert[0] = uz.client_key[0] = '\0';
	if (who) {
		snprintf(uz.client_cert, sizeof(uz.client_cert), "%s/%s.pem", pki, who);
		snprintf(uz.client_key, sizeof(uz.client_key), "%s/%s.key", pki, who);
	}
	test_http(&uz, "POST", "/api/v1/exchange/inbox", headers, doc, &r);
	uz.client_cert[0] = uz.client_key[0] = '\0';
	status = r.status;
	if (status != 200) {
		cr_assert_str_eq(str(r.json, "reason"), "unknown_sender", "%s", r.body);
		cr_assert(strstr(str(r.json, "detail"), "mutual TLS"), "%s", r.body);
	}
	test_response_free(&r);
	free(doc);
	return status;
}

Test(mtls, a_partner_is_taken_only_over_a_connection_showing_its_certificate)
{
	char path[400], args[1200], *out;
	struct test_response r;
	int delivered = 0;

	register_with_certificate(&kz, &uz, "UZ", "uz");
	register_with_certificate(&uz, &kz, "KZ", "kz");

	/* Through KZ's outbox: HTTPS to UZ, showing KZ's certificate. */
	snprintf(path, sizeof(path), "%s/hello.json", pki);
	{
		FILE *f = fopen(path, "w");

		cr_assert(f);
		fprintf(f,
			"{\"@context\": [\"https://www.w3.org/ns/credentials/v2\"],"
			" \"type\": [\"VerifiableCredential\", \"ExchangeTest\"], \"issuer\": \"%s\","
			" \"to\": \"%s\", \"credentialSubject\": {\"note\": \"over mutual TLS\"}}",
			kz.did, uz.did);
		fclose(f);
	}
	snprintf(args, sizeof(args), "exchange send --config %s --partner '%s' %s", kz.config_path,
		 uz.did, path);
	cr_assert_eq(test_cli(args, NULL, &out), 0, "%s", out);
	free(out);
	for (int i = 0; i < WAIT_MAX_STEPS && !delivered; i++) {
		cr_assert_eq(test_call(&uz, "admin", "GET",
				       "/api/v1/exchange/messages?direction=in&state=accepted",
				       NULL, &r),
			     200, "%s", r.body);
		delivered = json_array_size(json_object_get(r.json, "items")) == 1;
		test_response_free(&r);
		if (!delivered)
			usleep(WAIT_STEP_MS * 1000);
	}
	cr_assert(delivered, "KZ's document never reached UZ over mutual TLS");

	/* KZ's signature, but not KZ's connection: refused each time, recorded. */
	cr_assert_eq(post_as(NULL, "no certificate shown"), 403);
	/* A certificate of another CA: the server does not take it as a client certificate. */
	cr_assert_eq(post_as("stranger", "a stranger's certificate"), 403);
	/* A certificate of the right CA, but not the one registered for KZ. */
	cr_assert_eq(post_as("uz", "UZ's own certificate"), 403);
	/* KZ's certificate: taken. */
	cr_assert_eq(post_as("kz", "KZ's certificate"), 200);

	cr_assert_eq(test_call(&uz, "admin", "GET",
			       "/api/v1/exchange/messages?direction=in&state=refused", NULL, &r),
		     200);
	cr_assert_eq(json_array_size(json_object_get(r.json, "items")), 3, "%s", r.body);
	test_response_free(&r);
}
