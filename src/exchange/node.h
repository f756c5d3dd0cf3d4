/*
 * node.h — the node's identity in the exchange: its DID (did:web), its
 * country, and its Ed25519 keys, kept in a key file.
 *
 * The key file (config node_key; by default beside the SQLite database:
 * var/caravan.db has var/caravan.key) is JSON in the shape of the W3C
 * eddsa-jcs-2022 vectors' keyPair.json, so `caravan doc sign --key` reads
 * it, with the key's number and the keys it replaced:
 *
 *     {"keyId": "key-2", "created": "2026-03-01T08:00:00Z",
 *      "publicKeyMultibase": "z6Mk...", "secretKeyMultibase": "z3u2...",
 *      "retiredKeys": [{"keyId": "key-1", "created": "...", "retired": "...",
 *                       "publicKeyMultibase": "z6Mk..."}]}
 *
 * `caravan init` creates it (mode 0600, never over an existing file);
 * `caravan key rotate` makes a new current key and keeps the old ones'
 * public halves only, so that what they signed still verifies and nothing
 * can be signed with them again. The node signs with verification method
 * DID#key-N of the current key, and publishes every key in its DID
 * document (GET /.well-known/did.json).
 *
 * A struct exchange_node is loaded once at start-up and read-only after:
 * safe to share between threads. It holds the secret key: free it with
 * exchange_node_free, which wipes it.
 */
#ifndef CV_EXCHANGE_NODE_H
#define CV_EXCHANGE_NODE_H

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "exchange/credential.h"
#include "exchange/did.h"

#include <jansson.h>
#include <stdint.h>

/* Keys one file keeps: the current one and those it replaced. */
#define EXCHANGE_NODE_KEYS_MAX 64
/* The largest key file read: 64 keys are a few kilobytes. */
#define EXCHANGE_KEY_FILE_MAX (256 * 1024)
/* The path under which messages reach a node. */
#define EXCHANGE_INBOX_PATH "/api/v1/exchange/inbox"

/* One of the node's keys, as its DID document lists it. */
struct exchange_node_key {
	int number; /* N of key-N */
	unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
	char created[CV_RFC3339_MAX];
	char retired[CV_RFC3339_MAX]; /* "" for the current key */
};

struct exchange_node {
	char did[EXCHANGE_DID_MAX];
	char country[3];
	char key_path[CV_CONFIG_STR];
	char inbox_url[CV_CONFIG_STR + 32]; /* public_url + EXCHANGE_INBOX_PATH */
	struct exchange_key signing;        /* the current key, with its secret */
	/* keys[0] is the current key, then the retired ones, newest first. */
	struct exchange_node_key keys[EXCHANGE_NODE_KEYS_MAX];
	size_t nkeys;
};

/*
 * The key file's path: config->node_key, else the SQLite database's path
 * with ".key" for its extension. CV_EINVAL (field node_key) when neither
 * gives one (a PostgreSQL node must set node_key).
 */
int exchange_node_key_path(const struct cv_config *config, char *out, size_t size,
			   struct cv_error *err);

/*
 * The node's DID: config->node_did when set, else the did:web of
 * config->public_url. CV_EINVAL naming the key that is wrong.
 */
int exchange_node_did(const struct cv_config *config, char *out, size_t size, struct cv_error *err);

/*
 * Create a key file at path with a new key-1: created with O_EXCL and mode
 * 0600, written and synced before it is used. CV_ECONFLICT when a file is
 * there already (it is never overwritten), CV_EIO for any other failure.
 */
int exchange_node_key_create(const char *path, struct cv_error *err);

/*
 * Replace the key file at path by one whose current key is new and whose
 * retired keys are the old current one (public half only, with the date it
 * was retired) and the earlier retired ones. The new file is written
 * beside the old one (O_EXCL, 0600), synced, and renamed over it, so a
 * crash leaves one whole file. *number is the new key's N.
 */
int exchange_node_key_rotate(const char *path, int *number, struct cv_error *err);

/*
 * Load the node's identity: its DID and country from config, its keys from
 * the key file. CV_ENOTFOUND when there is no key file (run caravan init),
 * CV_EINVAL when the file is not a key file or other users may read it
 * (err says which, and what to do).
 */
int exchange_node_open(const struct cv_config *config, struct exchange_node **out,
		       struct cv_error *err);

/* Wipe and free. NULL is a no-op. */
void exchange_node_free(struct exchange_node *node);

/* Append the verification method of the current key: "DID#key-N". */
int exchange_node_verification_method(const struct exchange_node *node, struct cv_buf *out);

/*
 * The node's DID document: every key a Multikey verification method and an
 * assertionMethod (retired keys too, so that what they signed verifies);
 * the current key alone under authentication; the exchange inbox as a
 * service. *out is the caller's.
 */
int exchange_node_did_document(const struct exchange_node *node, json_t **out);

/*
 * Sign document (a JSON object without a proof) with the current key,
 * verification method DID#key-N, created now_ms. *secured is the caller's.
 */
int exchange_node_sign(const struct exchange_node *node, const json_t *document, int64_t now_ms,
		       json_t **secured, struct cv_error *err);

#endif
