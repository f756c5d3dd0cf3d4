/*
 * partners.h — the partner registry: the administrations this node
 * exchanges documents with, their node's endpoint, the DID and keys that
 * sign what they send, and what was agreed with each (mutual recognition
 * of AEOs with the types it recognises, advance cargo data, certificates
 * of origin), each from a date.
 *
 * A partner is authenticated by its signature on every message: the
 * registry is what turns "a valid signature" into "signed by a partner
 * customs we trust" (exchange_partner_did_document gives the inbox the
 * partner's DID document, built from its registered keys). Partners are
 * never deleted, since messages refer to them: an inactive partner's
 * messages are refused and none are sent to it.
 *
 * The input of create and update is the JSON of the API (and of `caravan
 * exchange partner add`): every bad member is appended to errors as
 * {field, message}, and nothing is written unless all are good.
 *
 * Volume: a node has tens of partners. Thread-safe as far as the store is:
 * use the calling thread's connection; writes inside the caller's
 * transaction.
 */
#ifndef CV_EXCHANGE_PARTNERS_H
#define CV_EXCHANGE_PARTNERS_H

#include "base/ids.h"
#include "exchange/did.h"
#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

#define EXCHANGE_PARTNER_NAME_MAX 200
#define EXCHANGE_ENDPOINT_MAX 500
#define EXCHANGE_PARTNER_KEYS_MAX 16
#define EXCHANGE_TLS_SHA256_HEX 64

enum exchange_agreement_kind {
	EXCHANGE_MRA,
	EXCHANGE_ADVANCE_CARGO,
	EXCHANGE_CERTIFICATES_OF_ORIGIN,
	EXCHANGE_AGREEMENT_COUNT
};

/* "mra", "advance_cargo", "certificates_of_origin": the API's names. */
const char *exchange_agreement_name(enum exchange_agreement_kind kind);

/* A partner as the inbox and the outbox need it. */
struct exchange_partner {
	char id[CV_UUID_STR];
	char country[3];
	char name[EXCHANGE_PARTNER_NAME_MAX * 4 + 1];
	char endpoint[EXCHANGE_ENDPOINT_MAX + 1];
	char did[EXCHANGE_DID_MAX];
	int active;
	/* Mutual TLS: the SHA-256 (hex) of the client certificate it must show; "": not required. */
	char tls_certificate[EXCHANGE_TLS_SHA256_HEX + 1];
};

/* The node a registry belongs to: a partner is another administration. */
struct exchange_registry_context {
	const char *node_country;
	const char *node_did; /* NULL when the node has no key yet */
	int64_t now_ms;
};

/*
 * Register a partner from input: country (ISO 3166 alpha-2, not the
 * node's), name, endpoint (http(s)://HOST[:PORT][/PATH]), and either did
 * (a did:web) with keys ([{"id": "key-1", "publicKeyMultibase": "z6Mk..."}])
 * or did_document (the partner's DID document: its id and Ed25519 keys are
 * taken); optional status ("active", "inactive") and agreements ({"mra":
 * {"since": DATE, "until": DATE, "aeo_types": ["AEOS", ...]},
 * "advance_cargo": {"since": ...}, "certificates_of_origin": {...}}).
 * CV_EINVAL with errors, CV_ECONFLICT when the DID is registered already.
 * *out is the partner as the API shows it.
 */
int exchange_partner_create(struct store_conn *conn, const struct exchange_registry_context *ctx,
			    const json_t *input, json_t *errors, json_t **out, struct cv_error *err);

/*
 * Change the members of input present (name, endpoint, keys or
 * did_document, status, agreements: a kind set to null ends that
 * agreement's record). country and did cannot change. CV_ENOTFOUND for an
 * unknown id.
 */
int exchange_partner_update(struct store_conn *conn, const struct exchange_registry_context *ctx,
			    const char *id, const json_t *input, json_t *errors, json_t **out,
			    struct cv_error *err);

/* Make the partner inactive (its history stays); *out as the API shows it. */
int exchange_partner_deactivate(struct store_conn *conn, const struct exchange_registry_context *ctx,
				const char *id, json_t **out);

/* The partner with id (UUID) or DID, as the API shows it; CV_ENOTFOUND. */
int exchange_partner_get(struct store_conn *conn, const char *id_or_did, json_t **out);

/*
 * A page of partners in order of registration after the id after ("" from
 * the start), of country and status when not NULL: *items (an array).
 */
int exchange_partners_list(struct store_conn *conn, const char *country, const char *status,
			   const char *after, int limit, json_t **items);

/* The partner with id (UUID) or DID into out; CV_ENOTFOUND. */
int exchange_partner_load(struct store_conn *conn, const char *id_or_did,
			  struct exchange_partner *out);

/*
 * The partner's DID document, built from its registered keys (every key
 * an assertionMethod): what the inbox verifies its messages against.
 */
int exchange_partner_did_document(struct store_conn *conn, const struct exchange_partner *partner,
				  json_t **out);

/*
 * The SHA-256 (lowercase hex) of the first certificate in pem (PEM text):
 * what tls_certificate_sha256 registers and what the server compares with
 * the certificate a client shows. CV_EINVAL when pem holds no certificate.
 */
int exchange_tls_certificate_sha256(const char *pem, char out[EXCHANGE_TLS_SHA256_HEX + 1],
				    struct cv_error *err);

/*
 * Verify document's proof against the partner's registered keys (its
 * DID document as exchange_partner_did_document builds it): CV_OK, or the
 * codes of exchange_credential_verify_with() with err telling why.
 */
int exchange_partner_verify(struct store_conn *conn, const struct exchange_partner *partner,
			    const json_t *document, struct cv_error *err);

/*
 * The ids (a JSON array of strings, *ids) of the active partners with an
 * agreement of kind in force on date (YYYY-MM-DD); for an MRA with
 * aeo_type not NULL, only those recognising that AEO type.
 */
int exchange_partners_agreed(struct store_conn *conn, enum exchange_agreement_kind kind,
			     const char *aeo_type, const char *date, json_t **ids);

#endif
