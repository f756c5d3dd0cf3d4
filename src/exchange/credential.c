/*
 * credential.c — Data Integrity proofs, cryptosuite eddsa-jcs-2022 (see
 * credential.h), following the W3C "Data Integrity EdDSA Cryptosuites v1.0"
 * algorithms: Create Proof / Verify Proof (section 3.3), with the JCS
 * transformation and the hashing and serialization steps of eddsa-jcs-2022.
 *
 * Design. Signing and verifying share one function, exchange_proof_hash_data,
 * so that they cannot drift apart. Verification copies the document shallowly
 * (json_copy: the members are shared, not duplicated) to drop the proof, and
 * checks the cheap things first — shape, type and cryptosuite, the key — so
 * a malformed or foreign proof is named as such instead of as a bad
 * signature. The verifier reads input from anyone: it never asserts on it,
 * and every failure says what was wrong (tests/fuzz/fuzz_verify.c).
 *
 * did:key is resolved here: the key is in the identifier, so verifying needs
 * no network and no registry. Other verification methods (did:web: the
 * node's own keys, a partner's from the registry) go through a struct
 * exchange_resolver the caller passes (exchange/did.h); none is ever
 * fetched.
 */
#include "exchange/credential.h"

#include "base/clock.h"
#include "base/mem.h"
#include "exchange/base58.h"
#include "exchange/jcs.h"

#include <string.h>

/* Multicodec prefixes (unsigned varints) of Ed25519 keys in multibase. */
static const unsigned char ed25519_pub_prefix[2] = {0xed, 0x01};
static const unsigned char ed25519_priv_prefix[2] = {0x80, 0x26};
#define MULTIBASE_BASE58BTC 'z'
#define DID_KEY_PREFIX "did:key:"

/*
 * Decode "z" + base58btc of prefix + size bytes into out. CV_EINVAL when the
 * text is not that.
 */
static int multibase_decode(const char *text, const unsigned char prefix[2], unsigned char *out,
			    size_t size)
{
	unsigned char bytes[EXCHANGE_BASE58_MAX];
	size_t len;

	if (!text || text[0] != MULTIBASE_BASE58BTC)
		return CV_EINVAL;
	if (exchange_base58_decode(text + 1, bytes, sizeof(bytes), &len) || len != size + 2 ||
	    memcmp(bytes, prefix, 2) != 0)
		return CV_EINVAL;
	memcpy(out, bytes + 2, size);
	sodium_memzero(bytes, sizeof(bytes));
	return CV_OK;
}

int exchange_key_multibase(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
			   struct cv_buf *out)
{
	unsigned char bytes[2 + crypto_sign_PUBLICKEYBYTES];
	int rc;

	memcpy(bytes, ed25519_pub_prefix, 2);
	memcpy(bytes + 2, public_key, crypto_sign_PUBLICKEYBYTES);
	rc = cv_buf_addch(out, MULTIBASE_BASE58BTC);
	return rc ? rc : exchange_base58_encode(bytes, sizeof(bytes), out);
}

int exchange_key_public_from_multibase(const char *multikey,
				       unsigned char public_key[crypto_sign_PUBLICKEYBYTES])
{
	return multibase_decode(multikey, ed25519_pub_prefix, public_key,
				crypto_sign_PUBLICKEYBYTES);
}

int exchange_key_secret_multibase(const struct exchange_key *key, struct cv_buf *out)
{
	unsigned char bytes[2 + crypto_sign_SEEDBYTES];
	int rc;

	if (!key->has_secret)
		return CV_EINVAL;
	memcpy(bytes, ed25519_priv_prefix, 2);
	crypto_sign_ed25519_sk_to_seed(bytes + 2, key->secret_key);
	rc = cv_buf_addch(out, MULTIBASE_BASE58BTC);
	if (rc == CV_OK)
		rc = exchange_base58_encode(bytes, sizeof(bytes), out);
	sodium_memzero(bytes, sizeof(bytes));
	return rc;
}

int exchange_key_generate(struct exchange_key *key)
{
	memset(key, 0, sizeof(*key));
	if (sodium_init() < 0 || crypto_sign_keypair(key->public_key, key->secret_key) != 0)
		return CV_EINTERNAL;
	key->has_secret = 1;
	return CV_OK;
}

int exchange_key_did(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES], struct cv_buf *out)
{
	struct cv_buf key;
	int rc;

	cv_buf_init(&key);
	rc = exchange_key_multibase(public_key, &key);
	if (rc == CV_OK)
		rc = cv_buf_addf(out, DID_KEY_PREFIX "%s#%s", cv_buf_str(&key), cv_buf_str(&key));
	cv_buf_release(&key);
	return rc;
}

int exchange_key_from_json(const json_t *key_file, struct exchange_key *key, struct cv_error *err)
{
	const char *public_text, *secret_text, *secret_field = "secretKeyMultibase";
	unsigned char seed[crypto_sign_SEEDBYTES], derived[crypto_sign_PUBLICKEYBYTES];
	int rc = CV_OK;

	memset(key, 0, sizeof(*key));
	if (!json_is_object(key_file))
		return cv_error_set(err, CV_EINVAL, NULL, "a key file is a JSON object");
	public_text = json_string_value(json_object_get(key_file, "publicKeyMultibase"));
	secret_text = json_string_value(json_object_get(key_file, secret_field));
	if (!secret_text) {
		secret_field = "privateKeyMultibase";
		secret_text = json_string_value(json_object_get(key_file, secret_field));
	}
	if (public_text && multibase_decode(public_text, ed25519_pub_prefix, key->public_key,
					    sizeof(key->public_key)))
		return cv_error_set(err, CV_EINVAL, "publicKeyMultibase",
				    "publicKeyMultibase is not an Ed25519 Multikey (z6Mk...)");
	if (!secret_text) {
		if (!public_text)
			return cv_error_set(err, CV_EINVAL, "publicKeyMultibase",
					    "the key file has neither publicKeyMultibase nor "
					    "secretKeyMultibase");
		return CV_OK;
	}
	if (multibase_decode(secret_text, ed25519_priv_prefix, seed, sizeof(seed)))
		return cv_error_set(err, CV_EINVAL, secret_field,
				    "%s is not an Ed25519 secret key (z3u2...)", secret_field);
	if (sodium_init() < 0 || crypto_sign_seed_keypair(derived, key->secret_key, seed) != 0) {
		rc = cv_error_set(err, CV_EINTERNAL, NULL, "libsodium cannot derive the key pair");
		goto out;
	}
	if (public_text && memcmp(derived, key->public_key, sizeof(derived)) != 0) {
		rc = cv_error_set(err, CV_EINVAL, "publicKeyMultibase",
				  "publicKeyMultibase is not the public key of %s", secret_field);
		goto out;
	}
	memcpy(key->public_key, derived, sizeof(derived));
	key->has_secret = 1;
out:
	sodium_memzero(seed, sizeof(seed));
	if (rc)
		sodium_memzero(key, sizeof(*key));
	return rc;
}

int exchange_did_key_resolve(const char *verification_method,
			     unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
			     struct cv_error *err)
{
	const char *key, *hash;
	size_t key_len;
	char *multikey;
	int rc;

	if (strncmp(verification_method, DID_KEY_PREFIX, strlen(DID_KEY_PREFIX)) != 0)
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: only did:key is resolved");
	key = verification_method + strlen(DID_KEY_PREFIX);
	hash = strchr(key, '#');
	if (!hash || strcmp(hash + 1, "") == 0)
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: a did:key URL ends with "
				    "#KEY");
	key_len = (size_t)(hash - key);
	if (strlen(hash + 1) != key_len || strncmp(key, hash + 1, key_len) != 0)
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: the fragment of a did:key URL "
				    "is the key itself");
	multikey = cv_strndup(key, key_len);
	if (!multikey)
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	rc = multibase_decode(multikey, ed25519_pub_prefix, public_key, crypto_sign_PUBLICKEYBYTES);
	cv_free(multikey);
	if (rc)
		return cv_error_set(err, CV_ENOTFOUND, "proof.verificationMethod",
				    "unknown verification method: the did:key is not an Ed25519 "
				    "key");
	return CV_OK;
}

/* The document's @context, or NULL. */
static json_t *document_context(const json_t *document)
{
	return json_object_get(document, "@context");
}

int exchange_proof_options_new(const json_t *document, const struct exchange_proof_options *options,
			       json_t **proof, struct cv_error *err)
{
	int64_t ms;
	json_t *context;

	*proof = NULL;
	if (!options->verification_method || !options->verification_method[0])
		return cv_error_set(err, CV_EINVAL, "verificationMethod",
				    "a proof needs a verification method");
	if (options->created && cv_clock_parse_rfc3339(options->created, &ms))
		return cv_error_set(err, CV_EINVAL, "created",
				    "created must be an RFC 3339 date and time, got \"%s\"",
				    options->created);
	*proof = json_object();
	if (!*proof || json_object_set_new(*proof, "type", json_string(EXCHANGE_PROOF_TYPE)) ||
	    json_object_set_new(*proof, "cryptosuite", json_string(EXCHANGE_CRYPTOSUITE)) ||
	    (options->created &&
	     json_object_set_new(*proof, "created", json_string(options->created))) ||
	    json_object_set_new(*proof, "verificationMethod",
				json_string(options->verification_method)) ||
	    json_object_set_new(*proof, "proofPurpose",
				json_string(options->proof_purpose ? options->proof_purpose
								   : EXCHANGE_PROOF_PURPOSE_DEFAULT)))
		goto nomem;
	context = document_context(document);
	if (context && json_object_set(*proof, "@context", context))
		goto nomem;
	return CV_OK;
nomem:
	json_decref(*proof);
	*proof = NULL;
	return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
}

/* Room for a canonical form from the start: a credential's is one to a few kilobytes. */
#define CANONICAL_RESERVE 4096

/* SHA-256 of the canonical form of value into hash. */
static int canonical_hash(const json_t *value, unsigned char hash[crypto_hash_sha256_BYTES],
			  struct cv_error *err)
{
	struct cv_buf canon;
	int rc;

	/* Grown once instead of doubling from 64 bytes: 1 % of signing a credential. */
	cv_buf_init(&canon);
	rc = cv_buf_grow(&canon, CANONICAL_RESERVE);
	if (rc == CV_OK)
		rc = exchange_jcs_serialize(value, &canon, err);
	if (rc == CV_OK)
		crypto_hash_sha256(hash, (const unsigned char *)cv_buf_str(&canon), canon.len);
	cv_buf_release(&canon);
	return rc;
}

int exchange_proof_hash_data(const json_t *document, const json_t *proof_options,
			     unsigned char hash_data[EXCHANGE_HASH_DATA_BYTES], struct cv_error *err)
{
	int rc = canonical_hash(proof_options, hash_data, err);

	return rc ? rc : canonical_hash(document, hash_data + crypto_hash_sha256_BYTES, err);
}

int exchange_credential_sign(const json_t *document, const struct exchange_key *key,
			     const struct exchange_proof_options *options, json_t **secured,
			     struct cv_error *err)
{
	unsigned char hash_data[EXCHANGE_HASH_DATA_BYTES], signature[crypto_sign_BYTES];
	unsigned char named_key[crypto_sign_PUBLICKEYBYTES];
	json_t *proof = NULL;
	struct cv_buf value;
	int rc;

	*secured = NULL;
	cv_buf_init(&value);
	if (!json_is_object(document))
		return cv_error_set(err, CV_EINVAL, NULL, "only a JSON object can be signed");
	if (json_object_get(document, "proof"))
		return cv_error_set(err, CV_EUNSUPPORTED, "proof",
				    "the document has a proof already (sets of proofs are not "
				    "supported yet)");
	if (!key->has_secret)
		return cv_error_set(err, CV_EINVAL, "key", "signing needs the secret key");
	if (options->verification_method &&
	    strncmp(options->verification_method, DID_KEY_PREFIX, strlen(DID_KEY_PREFIX)) == 0) {
		if (exchange_did_key_resolve(options->verification_method, named_key, NULL))
			return cv_error_set(err, CV_EINVAL, "verificationMethod",
					    "the verification method is not a did:key URL of an "
					    "Ed25519 key (did:key:z6Mk...#z6Mk...)");
		if (memcmp(named_key, key->public_key, sizeof(named_key)) != 0)
			return cv_error_set(err, CV_EINVAL, "verificationMethod",
					    "the did:key verification method names another key "
					    "than the signing key");
	}
	rc = exchange_proof_options_new(document, options, &proof, err);
	if (rc == CV_OK)
		rc = exchange_proof_hash_data(document, proof, hash_data, err);
	if (rc)
		goto out;
	if (sodium_init() < 0 ||
	    crypto_sign_detached(signature, NULL, hash_data, sizeof(hash_data), key->secret_key)) {
		rc = cv_error_set(err, CV_EINTERNAL, NULL, "libsodium cannot sign");
		goto out;
	}
	rc = cv_buf_addch(&value, MULTIBASE_BASE58BTC);
	if (rc == CV_OK)
		rc = exchange_base58_encode(signature, sizeof(signature), &value);
	if (rc == CV_OK && json_object_set_new(proof, "proofValue", json_string(cv_buf_str(&value))))
		rc = CV_ENOMEM;
	if (rc == CV_OK && !(*secured = json_copy((json_t *)document)))
		rc = CV_ENOMEM;
	if (rc == CV_OK && json_object_set(*secured, "proof", proof))
		rc = CV_ENOMEM;
	if (rc == CV_ENOMEM)
		cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
out:
	if (rc) {
		json_decref(*secured);
		*secured = NULL;
	}
	json_decref(proof);
	cv_buf_release(&value);
	return rc;
}

/* Does the list a (an array, or one value) start with every value of b, in order? */
static int context_starts_with(const json_t *a, const json_t *b)
{
	size_t na = json_is_array(a) ? json_array_size(a) : 1;
	size_t nb = json_is_array(b) ? json_array_size(b) : 1;

	if (!a || nb > na)
		return 0;
	for (size_t i = 0; i < nb; i++) {
		const json_t *x = json_is_array(a) ? json_array_get(a, i) : a;
		const json_t *y = json_is_array(b) ? json_array_get(b, i) : b;

		if (!json_equal((json_t *)x, (json_t *)y))
			return 0;
	}
	return 1;
}

/* The string member name of proof, or NULL after filling err. */
static const char *proof_string(const json_t *proof, const char *name, struct cv_error *err)
{
	const json_t *member = json_object_get(proof, name);

	if (!member) {
		cv_error_set(err, CV_EINVAL, name, "the proof has no %s", name);
		return NULL;
	}
	if (!json_is_string(member)) {
		cv_error_set(err, CV_EINVAL, name, "the proof's %s is not a string", name);
		return NULL;
	}
	return json_string_value(member);
}

/*
 * Check the proof's shape, type and cryptosuite; fill signature and the
 * signer's public key, which resolver (NULL: did:key) finds.
 */
static int check_proof(const json_t *proof, const struct exchange_resolver *resolver,
		       unsigned char signature[crypto_sign_BYTES],
		       unsigned char public_key[crypto_sign_PUBLICKEYBYTES], struct cv_error *err)
{
	const char *type, *suite, *purpose, *method, *value, *created;
	int64_t ms;

	if (json_is_array(proof))
		return cv_error_set(err, CV_EUNSUPPORTED, "proof",
				    "sets of proofs are not supported yet");
	if (!json_is_object(proof))
		return cv_error_set(err, CV_EINVAL, "proof", "the proof is not an object");
	if (!(type = proof_string(proof, "type", err)))
		return CV_EINVAL;
	if (strcmp(type, EXCHANGE_PROOF_TYPE) != 0)
		return cv_error_set(err, CV_EUNSUPPORTED, "type",
				    "unsupported proof type (only " EXCHANGE_PROOF_TYPE ")");
	if (!(suite = proof_string(proof, "cryptosuite", err)))
		return CV_EINVAL;
	if (strcmp(suite, EXCHANGE_CRYPTOSUITE) != 0)
		return cv_error_set(err, CV_EUNSUPPORTED, "cryptosuite",
				    "unsupported cryptosuite (only " EXCHANGE_CRYPTOSUITE ")");
	if (!(purpose = proof_string(proof, "proofPurpose", err)) ||
	    !(method = proof_string(proof, "verificationMethod", err)) ||
	    !(value = proof_string(proof, "proofValue", err)))
		return CV_EINVAL;
	if (json_object_get(proof, "created")) {
		if (!(created = proof_string(proof, "created", err)))
			return CV_EINVAL;
		if (cv_clock_parse_rfc3339(created, &ms))
			return cv_error_set(err, CV_EINVAL, "created",
					    "the proof's created is not an RFC 3339 date and time");
	}
	{
		unsigned char bytes[EXCHANGE_BASE58_MAX];
		size_t len;

		if (value[0] != MULTIBASE_BASE58BTC ||
		    exchange_base58_decode(value + 1, bytes, sizeof(bytes), &len) ||
		    len != crypto_sign_BYTES)
			return cv_error_set(err, CV_EINVAL, "proofValue",
					    "the proofValue is not a base58btc Ed25519 signature "
					    "(z...)");
		memcpy(signature, bytes, crypto_sign_BYTES);
	}
	if (resolver)
		return resolver->resolve(resolver->ctx, method, purpose, public_key, err);
	return exchange_did_key_resolve(method, public_key, err);
}

int exchange_credential_verify(const json_t *secured, struct cv_error *err)
{
	return exchange_credential_verify_with(secured, NULL, err);
}

int exchange_credential_verify_with(const json_t *secured, const struct exchange_resolver *resolver,
				    struct cv_error *err)
{
	unsigned char signature[crypto_sign_BYTES], public_key[crypto_sign_PUBLICKEYBYTES];
	unsigned char hash_data[EXCHANGE_HASH_DATA_BYTES];
	json_t *document = NULL, *options = NULL, *proof, *context;
	int rc;

	if (!json_is_object(secured))
		return cv_error_set(err, CV_EINVAL, NULL, "the document is not a JSON object");
	proof = json_object_get(secured, "proof");
	if (!proof)
		return cv_error_set(err, CV_EINVAL, "proof", "the document has no proof");
	rc = check_proof(proof, resolver, signature, public_key, err);
	if (rc)
		return rc;
	document = json_copy((json_t *)secured);
	options = json_copy(proof);
	if (!document || !options || json_object_del(document, "proof") ||
	    json_object_del(options, "proofValue")) {
		rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
		goto out;
	}
	context = json_object_get(options, "@context");
	if (context) {
		if (!context_starts_with(document_context(document), context)) {
			rc = cv_error_set(err, CV_EINVAL, "@context",
					  "the document's @context does not start with the "
					  "proof's");
			goto out;
		}
		if (json_object_set(document, "@context", context)) {
			rc = cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
			goto out;
		}
	}
	rc = exchange_proof_hash_data(document, options, hash_data, err);
	if (rc)
		goto out;
	if (sodium_init() < 0) {
		rc = cv_error_set(err, CV_EINTERNAL, NULL, "libsodium cannot start");
		goto out;
	}
	if (crypto_sign_verify_detached(signature, hash_data, sizeof(hash_data), public_key) != 0)
		rc = cv_error_set(err, CV_EAUTH, "proofValue",
				  "the signature does not match the document and its proof");
out:
	json_decref(options);
	json_decref(document);
	return rc;
}
