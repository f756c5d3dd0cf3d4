/*
 * test_did.c — decentralized identifiers (exchange/did.h): the node's
 * did:web from its URL, keys found in a DID document only under the rules
 * (the DID's own, a Multikey, authorized for the proof's purpose), and the
 * resolver that verification uses: nothing outside the documents it was
 * given, did:key only when allowed.
 */
#include "exchange/did.h"

#include <criterion/criterion.h>
#include <string.h>

static void setup(void) { cr_assert_geq(sodium_init(), 0); }

TestSuite(did, .init = setup);

static void assert_did(const char *url, const char *expected)
{
	struct cv_buf out;
	struct cv_error err;

	cv_buf_init(&out);
	cv_error_clear(&err);
	cr_assert_eq(exchange_did_web_from_url(url, &out, &err), CV_OK, "%s: %s", url, err.message);
	cr_assert_str_eq(cv_buf_str(&out), expected, "%s", url);
	cr_assert(exchange_did_web_valid(cv_buf_str(&out)), "%s", cv_buf_str(&out));
	cv_buf_release(&out);
}

Test(did, did_web_comes_from_the_host_port_and_path_of_the_public_url)
{
	assert_did("https://customs.kz", "did:web:customs.kz");
	assert_did("https://Customs.KZ/", "did:web:customs.kz");
	assert_did("http://localhost:8443", "did:web:localhost%3A8443");
	assert_did("http://127.0.0.1:8080/", "did:web:127.0.0.1%3A8080");
	assert_did("https://example.org/kz/caravan", "did:web:example.org:kz:caravan");
}

Test(did, a_url_did_web_cannot_name_is_refused_with_the_field)
{
	static const char *const bad[] = {"ftp://customs.kz",        "customs.kz",
					  "https://user@customs.kz", "https://customs.kz/?q=1",
					  "https://customs.kz/#x",   "https://",
					  "https://:8443",           "https://customs.kz:",
					  "https://custo ms.kz",     "https://[::1]:8443",
					  "https://customs.kz/a%20b"};
	struct cv_buf out;
	struct cv_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cv_buf_init(&out);
		cv_error_clear(&err);
		cr_assert_eq(exchange_did_web_from_url(bad[i], &out, &err), CV_EINVAL, "%s", bad[i]);
		cr_assert_str_eq(err.field, "public_url");
		cv_buf_release(&out);
	}
	cr_assert(!exchange_did_web_valid("did:key:z6Mk"));
	cr_assert(!exchange_did_web_valid("did:web:"));
	cr_assert(!exchange_did_web_valid("did:web:a/b"));
}

/* A key pair and its Multikey text. */
struct pair {
	struct exchange_key key;
	char multikey[80];
};

static void make_pair(struct pair *p)
{
	struct cv_buf b;

	cr_assert_eq(exchange_key_generate(&p->key), CV_OK);
	cv_buf_init(&b);
	cr_assert_eq(exchange_key_multibase(p->key.public_key, &b), CV_OK);
	snprintf(p->multikey, sizeof(p->multikey), "%s", cv_buf_str(&b));
	cv_buf_release(&b);
}

#define DID "did:web:customs.uz"

/* A DID document of DID with key-1 (assertion) and key-2 (authentication only). */
static json_t *document(const struct pair *one, const struct pair *two)
{
	json_t *doc = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s, s:s}], s:[s], s:[s]}",
				"id", DID, "verificationMethod", "id", DID "#key-1", "type",
				"Multikey", "controller", DID, "publicKeyMultibase", one->multikey,
				"id", "#key-2", "type", "Multikey", "controller", DID,
				"publicKeyMultibase", two->multikey, "assertionMethod",
				DID "#key-1", "authentication", "#key-2");

	cr_assert_not_null(doc);
	return doc;
}

Test(did, a_key_resolves_in_its_document_only_for_the_purposes_it_is_listed_under)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	struct pair one, two;
	struct cv_error err;
	json_t *doc;

	make_pair(&one);
	make_pair(&two);
	doc = document(&one, &two);
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-1", "assertionMethod", pk, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(memcmp(pk, one.key.public_key, sizeof(pk)), 0);
	/* key-2 (a relative id) is the DID's, but not for assertions. */
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-2", "authentication", pk, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(memcmp(pk, two.key.public_key, sizeof(pk)), 0);
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-2", "assertionMethod", pk, &err),
		     CV_ENOTFOUND);
	cr_assert(strstr(err.message, "does not list key-2 under assertionMethod"), "%s",
		  err.message);
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-3", "assertionMethod", pk, &err),
		     CV_ENOTFOUND);
	cr_assert(strstr(err.message, "has no key key-3"), "%s", err.message);
	cr_assert_eq(exchange_did_document_key(doc, "did:web:customs.kz#key-1", "assertionMethod",
					       pk, &err),
		     CV_ENOTFOUND);
	cr_assert_eq(exchange_did_document_key(doc, DID, "assertionMethod", pk, &err), CV_ENOTFOUND);
	json_decref(doc);
}

Test(did, a_key_of_another_controller_or_type_is_not_the_dids)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	struct pair one, two;
	struct cv_error err;
	json_t *doc, *method;

	make_pair(&one);
	make_pair(&two);
	doc = document(&one, &two);
	method = json_array_get(json_object_get(doc, "verificationMethod"), 0);
	json_object_set_new(method, "controller", json_string("did:web:evil.example"));
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-1", "assertionMethod", pk, &err),
		     CV_ENOTFOUND);
	cr_assert(strstr(err.message, "another controller"), "%s", err.message);
	json_object_set_new(method, "controller", json_string(DID));
	json_object_set_new(method, "type", json_string("JsonWebKey2020"));
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-1", "assertionMethod", pk, &err),
		     CV_ENOTFOUND);
	json_object_set_new(method, "type", json_string("Multikey"));
	json_object_set_new(method, "publicKeyMultibase", json_string("zDnaeWJ3"));
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-1", "assertionMethod", pk, &err),
		     CV_ENOTFOUND);
	json_decref(doc);
}

Test(did, a_method_embedded_in_the_relationship_resolves)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	struct pair one;
	struct cv_error err;
	json_t *doc;

	make_pair(&one);
	doc = json_pack("{s:s, s:[{s:s, s:s, s:s, s:s}]}", "id", DID, "assertionMethod", "id",
			DID "#key-9", "type", "Multikey", "controller", DID, "publicKeyMultibase",
			one.multikey);
	cr_assert_eq(exchange_did_document_key(doc, DID "#key-9", "assertionMethod", pk, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(memcmp(pk, one.key.public_key, sizeof(pk)), 0);
	json_decref(doc);
}

/* Sign a small document as DID#key-1 with p. */
static json_t *signed_by(const struct pair *p, const char *method)
{
	struct exchange_proof_options options = {method, "2026-03-01T08:00:00Z", NULL};
	json_t *doc = json_pack("{s:s, s:{s:s}}", "id", "urn:uuid:1", "credentialSubject", "aeo",
				"AEOS"),
	       *secured;

	cr_assert_eq(exchange_credential_sign(doc, &p->key, &options, &secured, NULL), CV_OK);
	json_decref(doc);
	return secured;
}

Test(did, verification_resolves_through_the_documents_given_and_nothing_else)
{
	struct pair one, two;
	struct cv_error err;
	struct cv_buf did_key;
	json_t *doc, *secured, *by_did_key;
	const json_t *docs[1];
	struct exchange_did_documents set = {docs, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};
	struct exchange_did_documents none = {NULL, 0, 0};
	struct exchange_resolver nothing = {exchange_did_documents_resolve, &none};

	make_pair(&one);
	make_pair(&two);
	doc = document(&one, &two);
	docs[0] = doc;
	secured = signed_by(&one, DID "#key-1");
	cr_assert_eq(exchange_credential_verify_with(secured, &resolver, &err), CV_OK, "%s",
		     err.message);
	cr_assert_eq(exchange_credential_verify_with(secured, &nothing, &err), CV_ENOTFOUND);
	cr_assert(strstr(err.message, "no DID document for " DID), "%s", err.message);
	/* Without a resolver: did:key only. */
	cr_assert_eq(exchange_credential_verify(secured, &err), CV_ENOTFOUND);
	json_decref(secured);

	/* Signed by key-2's secret under key-1's name: the signature does not match. */
	secured = signed_by(&two, DID "#key-1");
	cr_assert_eq(exchange_credential_verify_with(secured, &resolver, &err), CV_EAUTH);
	json_decref(secured);

	/* did:key: offline when the set allows it, refused when it does not. */
	cv_buf_init(&did_key);
	cr_assert_eq(exchange_key_did(one.key.public_key, &did_key), CV_OK);
	by_did_key = signed_by(&one, cv_buf_str(&did_key));
	cr_assert_eq(exchange_credential_verify_with(by_did_key, &resolver, &err), CV_ENOTFOUND);
	cr_assert(strstr(err.message, "did:key is not accepted"), "%s", err.message);
	set.did_key = 1;
	cr_assert_eq(exchange_credential_verify_with(by_did_key, &resolver, &err), CV_OK, "%s",
		     err.message);
	cv_buf_release(&did_key);
	json_decref(by_did_key);
	json_decref(doc);
}

Test(did, keys_are_read_from_a_did_document_and_a_document_is_built_from_keys)
{
	struct pair one, two;
	struct cv_error err;
	json_t *doc, *keys = json_array(), *built, *auth = json_pack("[s]", "key-2");
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];

	make_pair(&one);
	make_pair(&two);
	doc = document(&one, &two);
	/* A key of another kind is left out, not an error. */
	json_array_append_new(json_object_get(doc, "verificationMethod"),
			      json_pack("{s:s, s:s, s:s, s:s}", "id", DID "#x25519", "type",
					"X25519KeyAgreementKey2020", "controller", DID,
					"publicKeyMultibase", "z6LS"));
	cr_assert_eq(exchange_did_document_keys(doc, keys, &err), CV_OK, "%s", err.message);
	cr_assert_eq(json_array_size(keys), 2);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(keys, 1), "id")), "key-2");
	cr_assert_eq(exchange_did_document_build(DID, keys, auth, &built), CV_OK);
	cr_assert_eq(exchange_did_document_key(built, DID "#key-2", "assertionMethod", pk, &err),
		     CV_OK, "%s", err.message);
	cr_assert_eq(memcmp(pk, two.key.public_key, sizeof(pk)), 0);
	cr_assert_eq(json_array_size(json_object_get(built, "authentication")), 1);
	json_decref(built);
	json_decref(keys);
	json_decref(auth);

	keys = json_array();
	json_object_set_new(doc, "id", json_string("customs.uz"));
	cr_assert_eq(exchange_did_document_keys(doc, keys, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "did_document.id");
	json_object_set_new(doc, "id", json_string(DID));
	json_object_set_new(doc, "verificationMethod", json_pack("[{s:s}]", "id", "#key 1"));
	cr_assert_eq(exchange_did_document_keys(doc, keys, &err), CV_EINVAL);
	cr_assert_str_eq(err.field, "did_document.verificationMethod");
	json_object_set_new(doc, "verificationMethod", json_array());
	cr_assert_eq(exchange_did_document_keys(doc, keys, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "no Ed25519 Multikey"), "%s", err.message);
	json_decref(keys);
	json_decref(doc);
}
