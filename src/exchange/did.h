/*
 * did.h — decentralized identifiers (W3C DID Core) as caravan nodes use
 * them: the node's did:web, DID documents with Multikey verification
 * methods, and resolvers that find a key in a document the caller
 * supplies.
 *
 * A node is did:web:HOST (did:web:customs.kz, did:web:localhost%3A8443):
 * the DID is derived from the URL by which the node is reached, and its
 * document is served at https://HOST/.well-known/did.json. Nothing here
 * fetches a document: the node's own is built from its key file, a
 * partner's from the partner registry, and an auditor passes one on the
 * command line (caravan doc verify --did-document FILE). A key that is not
 * in a document the verifier was given is unknown.
 *
 * The module owns nothing; documents are jansson values of the caller.
 * Thread-safe: no shared state.
 */
#ifndef CV_EXCHANGE_DID_H
#define CV_EXCHANGE_DID_H

#include "base/buf.h"
#include "base/err.h"
#include "exchange/credential.h"

#include <jansson.h>

#define EXCHANGE_DID_MAX 256
#define EXCHANGE_DID_WEB_PREFIX "did:web:"
#define EXCHANGE_DID_CONTEXT "https://www.w3.org/ns/did/v1"
#define EXCHANGE_MULTIKEY_CONTEXT "https://w3id.org/security/multikey/v1"
#define EXCHANGE_MULTIKEY_TYPE "Multikey"

/*
 * Append the did:web of the node reached at url ("https://customs.kz" is
 * did:web:customs.kz, "http://localhost:8443" did:web:localhost%3A8443,
 * "https://example.org/kz/" did:web:example.org:kz). CV_EINVAL (field
 * "public_url") for a URL that is not http(s)://HOST[:PORT][/PATH] without
 * user, query or fragment.
 */
int exchange_did_web_from_url(const char *url, struct cv_buf *out, struct cv_error *err);

/* True when did is "did:web:" and a host: letters, digits, . - % : only. */
int exchange_did_web_valid(const char *did);

/*
 * Find the Ed25519 public key of verification_method ("DID#fragment") in
 * document: the document's id must be DID; the method is one of its
 * verificationMethod entries (by its full id or "#fragment"), of type
 * Multikey (or Ed25519VerificationKey2020) with a publicKeyMultibase, and
 * controlled by DID; and it must be listed under proof_purpose
 * ("assertionMethod"), by reference or embedded there. CV_ENOTFOUND with
 * err (field "proof.verificationMethod") telling which of these fails.
 */
int exchange_did_document_key(const json_t *document, const char *verification_method,
			      const char *proof_purpose,
			      unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
			      struct cv_error *err);

/*
 * The resolver over a set of DID documents: a method of a did:web (or any
 * DID) resolves in the document with that id; a did:key resolves offline
 * when did_key is set. Use as {exchange_did_documents_resolve, &set}.
 */
struct exchange_did_documents {
	const json_t *const *documents;
	size_t count;
	int did_key;
};
int exchange_did_documents_resolve(void *ctx, const char *verification_method,
				   const char *proof_purpose,
				   unsigned char public_key[crypto_sign_PUBLICKEYBYTES],
				   struct cv_error *err);

/*
 * Check that document is a DID document caravan can use (an object with a
 * string id, and a verificationMethod list of which every entry names an
 * Ed25519 Multikey of that DID), and append its keys to keys as
 * {"id": "key-1", "publicKeyMultibase": "z6Mk..."} (the fragment of each
 * method's id). CV_EINVAL with err naming the bad member.
 */
int exchange_did_document_keys(const json_t *document, json_t *keys, struct cv_error *err);

/*
 * Build the DID document of did with its keys (an array of {"id":
 * "key-N", "publicKeyMultibase": ...}): every key a Multikey verification
 * method DID#key-N and an assertionMethod; the keys in authentication
 * (NULL: all) are listed there too. *out is the caller's.
 */
int exchange_did_document_build(const char *did, const json_t *keys, const json_t *authentication,
				json_t **out);

#endif
