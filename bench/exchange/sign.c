/*
 * sign.c — bench-exchange, part 1: credentials signed and verified per
 * second by caravan (eddsa-jcs-2022: JCS, two SHA-256, Ed25519, base58btc,
 * the proof object) against raw libsodium Ed25519 sign/verify of the same
 * bytes (the document's canonical form), in the same run.
 *
 * usage: sign [SECONDS_PER_MEASURE] [ROUNDS]
 * Prints one line per round and measure, then the medians and the ratios
 * caravan / raw (the aim: >= 0.8), then a JSON line ("result: {...}").
 * One thread: run it pinned to one core (bench/exchange/run does).
 */
#include "base/buf.h"
#include "base/err.h"
#include "exchange/credential.h"
#include "exchange/jcs.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROUNDS 15

/*
 * A realistic AEO status credential: what a node sends its MRA partners
 * when an authorization changes (docs/EXCHANGE.md), about 1.3 KB.
 */
static const char credential_text[] =
	"{\"@context\":[\"https://www.w3.org/ns/credentials/v2\"],"
	"\"id\":\"urn:uuid:0193a5c4-7f6e-7d10-9a2b-5c1e8f0d4a11\","
	"\"type\":[\"VerifiableCredential\",\"AEOStatusCredential\"],"
	"\"issuer\":{\"id\":\"did:web:customs.kz\",\"name\":\"State Revenue Committee of the "
	"Republic of Kazakhstan\"},"
	"\"validFrom\":\"2026-11-28T09:15:02Z\",\"validUntil\":\"2029-11-27T23:59:59Z\","
	"\"credentialSubject\":{\"id\":\"urn:tin:KZ:990840001234\","
	"\"operator\":{\"identification\":\"990840001234\",\"name\":\"Steppe Trading LLP\","
	"\"country\":\"KZ\",\"address\":\"12 Abay Avenue, Almaty 050000\"},"
	"\"authorization\":{\"number\":\"KZ-AEO-2026-00042\",\"type\":\"AEOF\","
	"\"status\":\"valid\",\"validFrom\":\"2026-03-14\",\"validUntil\":\"2029-03-13\","
	"\"grantedOn\":\"2026-03-14\",\"suspendedOn\":null,\"revokedOn\":null},"
	"\"mra\":{\"partner\":\"UZ\",\"recognisedTypes\":[\"AEOS\",\"AEOF\"],"
	"\"since\":\"2025-06-01\"},"
	"\"benefits\":[\"reduced_inspections\",\"priority\",\"mra_recognition\"]},"
	"\"credentialStatus\":{\"id\":\"https://customs.kz/api/v1/status-lists/aeo#4242\","
	"\"type\":\"BitstringStatusListEntry\",\"statusPurpose\":\"revocation\","
	"\"statusListIndex\":\"4242\","
	"\"statusListCredential\":\"https://customs.kz/api/v1/status-lists/aeo\"}}";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct cv_error *err)
{
	fprintf(stderr, "bench-exchange: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct ctx {
	json_t *document;
	json_t *secured;
	struct exchange_key key;
	struct exchange_proof_options options;
	struct cv_buf canonical;
	unsigned char sig[crypto_sign_BYTES];
};

enum measure { CARAVAN_SIGN, CARAVAN_VERIFY, RAW_SIGN, RAW_VERIFY, MEASURES };
static const char *const measure_names[MEASURES] = {"caravan sign", "caravan verify",
						    "libsodium sign", "libsodium verify"};

/* One operation of a measure; returns 0 when it did what it should. */
static int run_once(struct ctx *c, enum measure m)
{
	struct cv_error err;
	json_t *secured;

	switch (m) {
	case CARAVAN_SIGN:
		if (exchange_credential_sign(c->document, &c->key, &c->options, &secured, &err))
			return -1;
		json_decref(secured);
		return 0;
	case CARAVAN_VERIFY: return exchange_credential_verify(c->secured, &err);
	case RAW_SIGN:
		return crypto_sign_detached(c->sig, NULL, (const unsigned char *)c->canonical.data,
					    c->canonical.len, c->key.secret_key);
	case RAW_VERIFY:
		return crypto_sign_verify_detached(c->sig, (const unsigned char *)c->canonical.data,
						   c->canonical.len, c->key.public_key);
	default: return -1;
	}
}

/* Operations per second over at least seconds (checked every 64). */
static double measure(struct ctx *c, enum measure m, double seconds)
{
	double start = now(), elapsed;
	long n = 0;

	do {
		for (int i = 0; i < 64; i++, n++)
			if (run_once(c, m) != 0)
				die(measure_names[m], NULL);
		elapsed = now() - start;
	} while (elapsed < seconds);
	return (double)n / elapsed;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	double rates[MEASURES][MAX_ROUNDS], med[MEASURES];
	unsigned char seed[crypto_sign_SEEDBYTES];
	struct cv_buf did;
	struct cv_error err;
	json_error_t jerr;
	struct ctx c;

	if (seconds <= 0 || rounds < 1 || rounds > MAX_ROUNDS)
		die("usage: sign [SECONDS_PER_MEASURE > 0] [ROUNDS 1-15]", NULL);
	if (sodium_init() < 0)
		die("libsodium cannot start", NULL);
	memset(&c, 0, sizeof(c));
	c.document = json_loads(credential_text, JSON_REJECT_DUPLICATES, &jerr);
	if (!c.document)
		die("the bench credential is not JSON", NULL);
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(c.key.public_key, c.key.secret_key, seed);
	c.key.has_secret = 1;
	cv_buf_init(&did);
	cv_buf_init(&c.canonical);
	if (exchange_key_did(c.key.public_key, &did))
		die("cannot make the did:key", NULL);
	c.options.verification_method = cv_buf_str(&did);
	c.options.created = "2026-11-28T09:15:02Z";
	if (exchange_credential_sign(c.document, &c.key, &c.options, &c.secured, &err))
		die("cannot sign", &err);
	if (exchange_credential_verify(c.secured, &err))
		die("the signed credential does not verify", &err);
	if (exchange_jcs_serialize(c.document, &c.canonical, &err))
		die("cannot canonicalize", &err);
	if (crypto_sign_detached(c.sig, NULL, (const unsigned char *)c.canonical.data,
				 c.canonical.len, c.key.secret_key))
		die("libsodium cannot sign", NULL);

	printf("credential: %zu bytes canonical, did:key, eddsa-jcs-2022; %d rounds x %.1f s per "
	       "measure, one thread\n",
	       c.canonical.len, rounds, seconds);
	for (int r = 0; r < rounds; r++)
		for (int m = 0; m < MEASURES; m++) {
			rates[m][r] = measure(&c, (enum measure)m, seconds);
			printf("round %d/%d  %-18s %10.0f /s\n", r + 1, rounds, measure_names[m],
			       rates[m][r]);
			fflush(stdout);
		}
	for (int m = 0; m < MEASURES; m++)
		med[m] = median(rates[m], rounds);
	printf("\n%-18s %12s\n", "median", "per second");
	for (int m = 0; m < MEASURES; m++)
		printf("%-18s %12.0f\n", measure_names[m], med[m]);
	printf("sign ratio caravan/libsodium    %.3f  (aim >= 0.8: %s)\n",
	       med[CARAVAN_SIGN] / med[RAW_SIGN], med[CARAVAN_SIGN] / med[RAW_SIGN] >= 0.8 ? "MET" : "MISS");
	printf("verify ratio caravan/libsodium  %.3f  (aim >= 0.8: %s)\n",
	       med[CARAVAN_VERIFY] / med[RAW_VERIFY],
	       med[CARAVAN_VERIFY] / med[RAW_VERIFY] >= 0.8 ? "MET" : "MISS");
	printf("result: {\"sign\":%.0f,\"verify\":%.0f,\"raw_sign\":%.0f,\"raw_verify\":%.0f,"
	       "\"sign_ratio\":%.3f,\"verify_ratio\":%.3f,\"bytes\":%zu}\n",
	       med[CARAVAN_SIGN], med[CARAVAN_VERIFY], med[RAW_SIGN], med[RAW_VERIFY],
	       med[CARAVAN_SIGN] / med[RAW_SIGN], med[CARAVAN_VERIFY] / med[RAW_VERIFY],
	       c.canonical.len);
	json_decref(c.document);
	json_decref(c.secured);
	cv_buf_release(&did);
	cv_buf_release(&c.canonical);
	sodium_memzero(&c.key, sizeof(c.key));
	return 0;
}
