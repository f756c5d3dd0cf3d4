/*
 * test_credential.c — Data Integrity proofs, cryptosuite eddsa-jcs-2022
 * (exchange/credential.h), against the W3C test vectors of the
 * specification (tests/vectors/eddsa-jcs-2022/, W3C Software and Document
 * License): every intermediate value of signing, the proofValue itself, the
 * signed document verifying, and each kind of tampering refused.
 */
#include "exchange/credential.h"

#include "base/file.h"
#include "base/mem.h"
#include "exchange/base58.h"
#include "exchange/jcs.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define VECTORS "tests/vectors/eddsa-jcs-2022/"
#define VECTOR_MAX (64 * 1024)

static void setup(void) { cr_assert_geq(sodium_init(), 0); }

TestSuite(credential, .init = setup);

/* A vector file's text without its trailing newline (free it). */
static char *read_text(const char *name)
{
	char path[256], *data = NULL;
	struct cv_error err;
	size_t size;

	snprintf(path, sizeof(path), VECTORS "%s", name);
	cv_error_clear(&err);
	cr_assert_eq(cv_file_read(path, VECTOR_MAX, NULL, &data, &size, &err), CV_OK, "%s",
		     err.message);
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		data[--size] = '\0';
	return data;
}

static json_t *read_json(const char *name)
{
	char *text = read_text(name);
	struct cv_error err;
	json_t *value;

	cr_assert_eq(exchange_jcs_parse(text, strlen(text), name, &value, &err), CV_OK, "%s",
		     err.message);
	cv_free(text);
	return value;
}

static void hex(const unsigned char *bytes, size_t len, char *out)
{
	sodium_bin2hex(out, len * 2 + 1, bytes, len);
}

static void assert_canonical(const json_t *value, const char *vector)
{
	char *expected = read_text(vector);
	struct cv_buf out;

	cv_buf_init(&out);
	cr_assert_eq(exchange_jcs_serialize(value, &out, NULL), CV_OK);
	cr_assert_str_eq(cv_buf_str(&out), expected, "%s", vector);
	cv_buf_release(&out);
	cv_free(expected);
}

/* The proof options of proofConfigJCS.json. */
static const struct exchange_proof_options vector_options =
	{"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#"
	 "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
	 "2023-02-24T23:36:38Z", "assertionMethod"};

static void load_key(struct exchange_key *key)
{
	json_t *file = read_json("keyPair.json");
	struct cv_error err;

	cr_assert_eq(exchange_key_from_json(file, key, &err), CV_OK, "%s", err.message);
	cr_assert(key->has_secret);
	json_decref(file);
}

Test(credential, every_intermediate_value_of_signing_matches_the_vectors)
{
	json_t *document = read_json("unsigned.json"), *config = read_json("proofConfigJCS.json");
	json_t *proof;
	unsigned char hash_data[EXCHANGE_HASH_DATA_BYTES];
	char text[2 * EXCHANGE_HASH_DATA_BYTES + 1], *expected;
	struct cv_error err;

	assert_canonical(document, "canonDocJCS.txt");
	assert_canonical(config, "proofCanonJCS.txt");
	/* The proof options we build are the vector's. */
	cr_assert_eq(exchange_proof_options_new(document, &vector_options, &proof, &err), CV_OK);
	cr_assert(json_equal(proof, config));
	assert_canonical(proof, "proofCanonJCS.txt");

	cr_assert_eq(exchange_proof_hash_data(document, proof, hash_data, &err), CV_OK);
	hex(hash_data, crypto_hash_sha256_BYTES, text);
	expected = read_text("proofHashJCS.txt");
	cr_assert_str_eq(text, expected);
	cv_free(expected);
	hex(hash_data + crypto_hash_sha256_BYTES, crypto_hash_sha256_BYTES, text);
	expected = read_text("docHashJCS.txt");
	cr_assert_str_eq(text, expected);
	cv_free(expected);
	hex(hash_data, sizeof(hash_data), text);
	expected = read_text("combinedHashJCS.txt");
	cr_assert_str_eq(text, expected);
	cv_free(expected);
	json_decref(proof);
	json_decref(config);
	json_decref(document);
}

Test(credential, signing_unsigned_json_gives_the_vector_proof_value)
{
	json_t *document = read_json("unsigned.json"), *secured, *signed_vector;
	struct exchange_key key;
	struct cv_error err;
	unsigned char signature[EXCHANGE_BASE58_MAX];
	char signature_hex[2 * crypto_sign_BYTES + 1], *expected;
	const char *value;
	size_t len;

	load_key(&key);
	cr_assert_eq(exchange_credential_sign(document, &key, &vector_options, &secured, &err),
		     CV_OK, "%s", err.message);
	value = json_string_value(json_object_get(json_object_get(secured, "proof"), "proofValue"));
	expected = read_text("sigBTC58JCS.txt");
	cr_assert_str_eq(value, expected);
	cv_free(expected);

	cr_assert_eq(exchange_base58_decode(value + 1, signature, sizeof(signature), &len), CV_OK);
	cr_assert_eq(len, crypto_sign_BYTES);
	hex(signature, len, signature_hex);
	expected = read_text("sigHexJCS.txt");
	cr_assert_str_eq(signature_hex, expected);
	cv_free(expected);

	/* The whole secured document is signedJCS.json. */
	signed_vector = read_json("signedJCS.json");
	cr_assert(json_equal(secured, signed_vector));
	cr_assert_null(json_object_get(document, "proof"), "the input is left as it was");
	json_decref(signed_vector);
	json_decref(secured);
	json_decref(document);
	sodium_memzero(&key, sizeof(key));
}

Test(credential, the_signed_vector_verifies)
{
	json_t *secured = read_json("signedJCS.json");
	struct cv_error err;

	cv_error_clear(&err);
	cr_assert_eq(exchange_credential_verify(secured, &err), CV_OK, "%s", err.message);
	json_decref(secured);
}

/* Verify signedJCS.json with path (a member of the document or "proof.X") set to value. */
static int verify_altered(const char *member, json_t *value, struct cv_error *err)
{
	json_t *secured = read_json("signedJCS.json"), *target = secured;
	const char *name = member;
	int rc;

	if (strncmp(member, "proof.", 6) == 0) {
		target = json_object_get(secured, "proof");
		name = member + 6;
	}
	if (value)
		json_object_set_new(target, name, value);
	else
		json_object_del(target, name);
	cv_error_clear(err);
	rc = exchange_credential_verify(secured, err);
	json_decref(secured);
	return rc;
}

Test(credential, an_altered_field_breaks_the_signature)
{
	struct cv_error err;

	cr_assert_eq(verify_altered("name", json_string("Alumni Credentia1"), &err), CV_EAUTH);
	cr_assert(strstr(err.message, "signature does not match"), "%s", err.message);
	cr_assert_eq(verify_altered("validFrom", json_string("2023-01-02T00:00:00Z"), &err),
		     CV_EAUTH);
	cr_assert_eq(verify_altered("extra", json_true(), &err), CV_EAUTH, "an added member");
	cr_assert_eq(verify_altered("description", NULL, &err), CV_EAUTH, "a removed member");
}

Test(credential, an_altered_proof_breaks_the_signature)
{
	struct cv_error err;

	cr_assert_eq(verify_altered("proof.created", json_string("2023-02-24T23:36:39Z"), &err),
		     CV_EAUTH);
	cr_assert_eq(verify_altered("proof.proofPurpose", json_string("authentication"), &err),
		     CV_EAUTH);
	/* Another valid signature: one base58 digit changed. */
	cr_assert_eq(verify_altered("proof.proofValue",
				    json_string("z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS9"
						"3FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aY"),
				    &err),
		     CV_EAUTH);
	/* Signed by another key. */
	cr_assert_eq(verify_altered("proof.verificationMethod",
				    json_string("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEG"
						"ta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2"
						"doK"),
				    &err),
		     CV_EAUTH);
}

Test(credential, an_unsupported_cryptosuite_or_proof_type_is_named)
{
	struct cv_error err;

	cr_assert_eq(verify_altered("proof.cryptosuite", json_string("eddsa-rdfc-2022"), &err),
		     CV_EUNSUPPORTED);
	cr_assert(strstr(err.message, "cryptosuite"), "%s", err.message);
	cr_assert_eq(verify_altered("proof.type", json_string("Ed25519Signature2020"), &err),
		     CV_EUNSUPPORTED);
	cr_assert_eq(verify_altered("proof", json_pack("[{}]"), &err), CV_EUNSUPPORTED);
}

Test(credential, a_malformed_proof_is_refused)
{
	struct cv_error err;

	cr_assert_eq(verify_altered("proof", NULL, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "no proof"), "%s", err.message);
	cr_assert_eq(verify_altered("proof", json_string("z2Hn"), &err), CV_EINVAL);
	cr_assert_eq(verify_altered("proof.proofValue", NULL, &err), CV_EINVAL);
	cr_assert_eq(verify_altered("proof.proofValue", json_integer(7), &err), CV_EINVAL);
	cr_assert_eq(verify_altered("proof.proofValue", json_string("u2HnFSSPPBzR36zdDgK8"), &err),
		     CV_EINVAL, "not base58btc");
	cr_assert_eq(verify_altered("proof.proofValue", json_string("z2HnFSSPPBzR36zdDgK8"), &err),
		     CV_EINVAL, "too short for a signature");
	cr_assert_eq(verify_altered("proof.proofValue", json_string("z0OIl"), &err), CV_EINVAL);
	cr_assert_eq(verify_altered("proof.created", json_string("yesterday"), &err), CV_EINVAL);
	cr_assert_eq(verify_altered("proof.type", NULL, &err), CV_EINVAL);
	cr_assert_eq(verify_altered("proof.@context", json_pack("[s]", "https://example.org/"), &err),
		     CV_EINVAL, "the document's @context does not start with the proof's");
	cr_assert_eq(exchange_credential_verify(json_null(), &err), CV_EINVAL);
}

Test(credential, an_unknown_key_is_refused)
{
	struct cv_error err;

	cr_assert_eq(verify_altered("proof.verificationMethod",
				    json_string("https://vc.example/issuers/5678#key-1"), &err),
		     CV_ENOTFOUND);
	cr_assert(strstr(err.message, "unknown verification method"), "%s", err.message);
	cr_assert_eq(verify_altered("proof.verificationMethod",
				    json_string("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4"
						"swbTQ2"),
				    &err),
		     CV_ENOTFOUND, "no fragment");
	cr_assert_eq(verify_altered("proof.verificationMethod",
				    json_string("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4"
						"swbTQ2#key-1"),
				    &err),
		     CV_ENOTFOUND, "a fragment that is not the key");
	cr_assert_eq(verify_altered("proof.verificationMethod", json_string("did:key:zQ3s#zQ3s"),
				    &err),
		     CV_ENOTFOUND, "not an Ed25519 key");
}

Test(credential, sign_then_verify_round_trips_with_a_fresh_key)
{
	json_t *document = json_pack("{s:s,s:[f,f,i],s:{s:s}}", "id", "urn:example:1", "numbers",
				     0.1, 1e21, (json_int_t)7, "subject", "\xc3\xa9", "x");
	unsigned char seed[crypto_sign_SEEDBYTES];
	struct exchange_key key = {.has_secret = 1};
	struct exchange_proof_options options = {NULL, NULL, NULL};
	struct cv_buf did;
	struct cv_error err;
	json_t *secured;

	randombytes_buf(seed, sizeof(seed));
	cr_assert_eq(crypto_sign_seed_keypair(key.public_key, key.secret_key, seed), 0);
	cv_buf_init(&did);
	cr_assert_eq(exchange_key_did(key.public_key, &did), CV_OK);
	options.verification_method = cv_buf_str(&did);
	cr_assert_eq(exchange_credential_sign(document, &key, &options, &secured, &err), CV_OK,
		     "%s", err.message);
	cr_assert_null(json_object_get(json_object_get(secured, "proof"), "created"));
	cr_assert_null(json_object_get(json_object_get(secured, "proof"), "@context"));
	cr_assert_eq(exchange_credential_verify(secured, &err), CV_OK, "%s", err.message);
	json_decref(secured);

	cr_assert_eq(exchange_credential_sign(document, &key, &vector_options, &secured, &err),
		     CV_EINVAL, "a did:key of another key");
	cr_assert(strstr(err.message, "another key"), "%s", err.message);
	options.created = "last week";
	cr_assert_eq(exchange_credential_sign(document, &key, &options, &secured, &err), CV_EINVAL);
	cv_buf_release(&did);
	json_decref(document);
}

Test(credential, key_files_are_checked)
{
	struct exchange_key key;
	struct cv_error err;
	json_t *file;

	file = json_pack("{s:s,s:s}", "publicKeyMultibase",
			 "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "privateKeyMultibase",
			 "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq");
	cr_assert_eq(exchange_key_from_json(file, &key, &err), CV_EINVAL);
	cr_assert(strstr(err.message, "is not the public key"), "%s", err.message);
	json_decref(file);
	file = json_pack("{s:s}", "secretKeyMultibase",
			 "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
	cr_assert_eq(exchange_key_from_json(file, &key, &err), CV_EINVAL, "a public key as secret");
	json_decref(file);
	file = json_pack("{s:s}", "publicKeyMultibase",
			 "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
	cr_assert_eq(exchange_key_from_json(file, &key, &err), CV_OK);
	cr_assert_eq(key.has_secret, 0);
	json_decref(file);
}

Test(credential, base58_round_trips_with_leading_zeros)
{
	const unsigned char data[] = {0, 0, 1, 2, 255, 0};
	unsigned char back[16];
	struct cv_buf out;
	size_t len;

	cv_buf_init(&out);
	cr_assert_eq(exchange_base58_encode(data, sizeof(data), &out), CV_OK);
	cr_assert_str_eq(cv_buf_str(&out), "112Vzej");
	cr_assert_eq(exchange_base58_decode(cv_buf_str(&out), back, sizeof(back), &len), CV_OK);
	cr_assert_eq(len, sizeof(data));
	cr_assert(memcmp(back, data, len) == 0);
	cr_assert_eq(exchange_base58_decode("112Vzej", back, 5, &len), CV_EINVAL, "too small");
	cr_assert_eq(exchange_base58_decode("", back, sizeof(back), &len), CV_EINVAL);
	cv_buf_release(&out);
}
