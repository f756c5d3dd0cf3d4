/*
 * credential.h — documents anyone can verify: W3C Data Integrity proofs
 * with the cryptosuite eddsa-jcs-2022 (Ed25519 over JCS, RFC 8785).
 *
 * A node signs a JSON document (an AEO certificate, a certificate of
 * origin, advance cargo data) by adding a "proof" member; a partner node, a
 * trader or an auditor verifies it with nothing but the document: the
 * proof's verificationMethod is a did:key URL, which holds the Ed25519
 * public key itself and is resolved offline. What is signed is
 *
 *     SHA-256(JCS(proof options)) || SHA-256(JCS(document without proof))
 *
 * where the proof options are the proof without its proofValue (and carry
 * the document's @context when it has one); the Ed25519 signature of those
 * 64 bytes is the proofValue, in multibase base58btc ("z...").
 *
 * Key material lives in struct exchange_key, owned by the caller (wipe it
 * with sodium_memzero when done). Thread-safe: no shared state.
 */
#ifndef CV_EXCHANGE_CREDENTIAL_H
#define CV_EXCHANGE_CREDENTIAL_H

#include "base/buf.h"
#include "base/err.h"

#include <jansson.h>
#include <sodium.h>

#define EXCHANGE_PROOF_TYPE "DataIntegrityProof"
#define EXCHANGE_CRYPTOSUITE "eddsa-jcs-2022"
#define EXCHANGE_PROOF_PURPOSE_DEFAULT "assertionMethod"
/* The bytes that are signed: two SHA-256 hashes. */
#define EXCHANGE_HASH_DATA_BYTES (2 * crypto_hash_sha256_BYTES)

/* An Ed25519 key pair (has_secret: 0 when only the public key is known). */
struct exchange_key {
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
	int has_secret;
};

/*
 * Read a key file's JSON (as keyPair.json of the eddsa-jcs-2022 test
 * vectors): "publicKeyMultibase" (Multikey: "z" + base58btc of 0xed 0x01
 * and the 32-byte key) and "secretKeyMultibase" (or "privateKeyMultibase":
 * "z" + base58btc of 0x80 0x26 and the 32-byte seed). The public key must
 * be the seed's. CV_EINVAL with err->field naming the bad member.
 */
int exchange_key_from_json(const json_t *key_file, struct exchange_key *key, struct cv_error *err);

/* Append the Multikey form of an Ed25519 public key ("z6Mk...") to out. */
int exchange_key_multibase(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
			   struct cv_buf *out);

/* Decode a Multikey ("z6Mk...") into an Ed25519 public key; CV_EINVAL when it is not one. */
int exchange_key_public_from_multibase(const char *multikey,
				       unsigned char public_key[crypto_sign_PUBLICKEYBYTES]);

/*
 * Append the secret key's multibase form ("z3u2...": 0x80 0x26 and the
 * 32-byte seed), as a key file holds it. CV_EINVAL when key has no secret.
 */
int exchange_key_secret_multibase(const struct exchange_key *key, struct cv_buf *out);

/* A new random Ed25519 key pair (with its secret) from libsodium. */
int exchange_key_generate(struct exchange_key *key);

/* Append the did:key verification method URL of the key ("did:key:z6Mk...#z6Mk..."). */
int exchange_key_did(const unsigned char public_key[crypto_sign_PUBLICKEYBYTES], struct cv_buf *out);

/*
 * Resolve a verification method offline into its Ed25519 public key. Only
 * "did:key:MULTIKEY#MULTIKEY" is known (the fragment the key itself);
 * anything else is CV_ENOTFOUND ("unknown verification method").
 */
int exchange_did_key_resolve(const char *verification_method,
			     unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
			     struct cv_error *err);

/* What a signer chooses for a proof. */
struct exchange_proof_options {
	const char *verification_method; /* required: a URL the verifier resolves */
	const char *created;             /* RFC 3339, or NULL for no "created" */
	const char *proof_purpose;       /* NULL: EXCHANGE_PROOF_PURPOSE_DEFAULT */
};

/*
 * Build the proof options object (type, cryptosuite, created,
 * verificationMethod, proofPurpose, and the document's @context if it has
 * one) into *proof (the caller json_decref()s it). CV_EINVAL for a missing
 * verification method or a created that is not RFC 3339.
 */
int exchange_proof_options_new(const json_t *document, const struct exchange_proof_options *options,
			       json_t **proof, struct cv_error *err);

/*
 * The bytes eddsa-jcs-2022 signs: SHA-256 of JCS(proof_options), then
 * SHA-256 of JCS(document), where document has no proof member.
 */
int exchange_proof_hash_data(const json_t *document, const json_t *proof_options,
			     unsigned char hash_data[EXCHANGE_HASH_DATA_BYTES],
			     struct cv_error *err);

/*
 * Sign document (a JSON object without "proof") with key (which must have
 * its secret): *secured (the caller json_decref()s it) is a copy with a
 * "proof" member whose proofValue is the signature. When the verification
 * method is a did:key it must name key's public key (CV_EINVAL otherwise).
 */
int exchange_credential_sign(const json_t *document, const struct exchange_key *key,
			     const struct exchange_proof_options *options, json_t **secured,
			     struct cv_error *err);

/*
 * Where a verifier finds the public key of a verification method. resolve
 * fills public_key when verification_method names an Ed25519 key that may
 * make proofs for proof_purpose ("assertionMethod"), or returns
 * CV_ENOTFOUND with err telling why not. Nothing is ever fetched from the
 * network: a resolver knows its keys (did:key from the identifier itself,
 * did:web from a DID document the caller supplies, see exchange/did.h).
 */
struct exchange_resolver {
	int (*resolve)(void *ctx, const char *verification_method, const char *proof_purpose,
		       unsigned char public_key[crypto_sign_PUBLICKEYBYTES], struct cv_error *err);
	void *ctx;
};

/*
 * Verify the proof of secured, resolving its verification method with
 * resolver (NULL: did:key only, offline). CV_OK when it holds. Otherwise
 * err->message tells why, and the code what kind of failure:
 *  - CV_EINVAL: malformed (not an object, no proof, a proof member missing
 *    or of the wrong type, a proofValue that is not a base58btc signature,
 *    a created that is not RFC 3339, a proof @context the document's does
 *    not start with);
 *  - CV_EUNSUPPORTED: another proof type or cryptosuite, a set of proofs;
 *  - CV_ENOTFOUND: a verification method that cannot be resolved;
 *  - CV_EAUTH: the signature does not match (the document or its proof was
 *    altered, or another key signed it).
 */
int exchange_credential_verify_with(const json_t *secured, const struct exchange_resolver *resolver,
				    struct cv_error *err);

/* exchange_credential_verify_with() and did:key only. */
int exchange_credential_verify(const json_t *secured, struct cv_error *err);

#endif
