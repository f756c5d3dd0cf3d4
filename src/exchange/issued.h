/*
 * issued.h — the credentials this node issued, and the W3C status lists
 * that publish their revocation and suspension (status_list.h).
 *
 * Issuing a revocable credential takes three steps, all in the caller's
 * write transaction (with the change that caused it, so the credential, its
 * status entries and, later, its outbox row commit together):
 *
 *   exchange_issued_new()          record it; hand out an index in the open
 *                                  list of each purpose it needs
 *   exchange_issued_status()       its credentialStatus entries, for the
 *                                  document builder (documents.h)
 *   exchange_issued_set_document() keep the signed document
 *
 * Later, exchange_issued_change() suspends, lifts or revokes it, in the
 * transaction of the change (an authorization suspended): the status list
 * the node serves says so at once, since its bits are derived from the
 * credentials' status (migration 019), never stored apart.
 *
 * Indexes are handed out in order, once, per list: list i of a purpose
 * holds indexes 0..size-1, then a new list opens. (The spec advises random
 * indexes so that an index does not tell when a credential was issued; an
 * AEO register is public anyway, and ordered indexes keep the lists dense.)
 * A node issues ~20,000 AEO credentials over years, so one list per purpose
 * serves it for a long time; listing a list's set bits is one indexed query.
 *
 * Thread-safe as far as the store is.
 */
#ifndef CV_EXCHANGE_ISSUED_H
#define CV_EXCHANGE_ISSUED_H

#include "base/clock.h"
#include "base/err.h"
#include "base/ids.h"
#include "exchange/credential.h"
#include "exchange/status_list.h"
#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

/* Where the node serves a status list: {public_url}/api/v1/status-lists/{id}. */
#define EXCHANGE_STATUS_LIST_PATH "/api/v1/status-lists/"
/* The kinds of credential a node issues. */
#define EXCHANGE_KIND_AEO_STATUS "aeo_status"
#define EXCHANGE_KIND_ADVANCE_CARGO "advance_cargo"
#define EXCHANGE_KIND_CERTIFICATE_OF_ORIGIN "certificate_of_origin"
#define EXCHANGE_SUBJECT_MAX 128

/* Where a credential's bit of one purpose is; list_id "" when it has none. */
struct exchange_status_slot {
	char list_id[CV_UUID_STR];
	int64_t index;
};

struct exchange_issued {
	char id[CV_UUID_STR]; /* the document's id is urn:uuid:{id} */
	char kind[32];
	char subject[EXCHANGE_SUBJECT_MAX + 1];
	char status[12]; /* active, suspended, revoked */
	struct exchange_status_slot revocation, suspension;
	char issued_at[CV_RFC3339_MAX];
	char updated_at[CV_RFC3339_MAX];
};

struct exchange_issue {
	const char *kind;    /* EXCHANGE_KIND_* */
	const char *subject; /* what it is about: an authorization id, a declaration id, a number */
	int revocable;       /* hand out a revocation entry */
	int suspendable;     /* hand out a suspension entry (reversible) */
};

/*
 * Record a credential about to be issued, active, with an index in the open
 * status list of each purpose asked for (a new list when the open one is
 * full or there is none). CV_EINVAL naming kind or subject. In a write
 * transaction.
 */
int exchange_issued_new(struct store_conn *conn, const struct exchange_issue *issue, int64_t now_ms,
			struct exchange_issued *out, struct cv_error *err);

/* One credential by id. CV_ENOTFOUND when there is none. */
int exchange_issued_get(struct store_conn *conn, const char *id, struct exchange_issued *out);

/* The newest credential of kind about subject. CV_ENOTFOUND when there is none. */
int exchange_issued_find(struct store_conn *conn, const char *kind, const char *subject,
			 struct exchange_issued *out);

/*
 * The credentialStatus entries of c, as a JSON array of
 * BitstringStatusListEntry (revocation first), each naming
 * {base_url}/api/v1/status-lists/{list} with its index; an empty array for
 * a credential issued without status. base_url is the node's public_url.
 */
int exchange_issued_status(const struct exchange_issued *c, const char *base_url, json_t **entries);

/* Keep the signed document of credential id. In a write transaction. */
int exchange_issued_set_document(struct store_conn *conn, const char *id, const json_t *signed_doc,
				 int64_t now_ms, struct cv_error *err);

/* The signed document of credential id (the caller json_decref()s it); CV_ENOTFOUND before signing. */
int exchange_issued_document(struct store_conn *conn, const char *id, json_t **doc);

/*
 * Suspend (active → suspended), lift (suspended → active) or revoke
 * (active or suspended → revoked, final). CV_ECONFLICT naming the status and
 * the actions it allows, or when the credential has no entry of the purpose
 * the action needs; CV_EINVAL for another action; CV_ENOTFOUND. *out (may
 * be NULL) receives the credential after. In a write transaction.
 */
int exchange_issued_change(struct store_conn *conn, const char *id, const char *action,
			   int64_t now_ms, struct exchange_issued *out, struct cv_error *err);

/*
 * The current bits of status list list_id: bit i set when the credential
 * holding index i has the list's status (revoked for a revocation list,
 * suspended for a suspension list). purpose receives the list's purpose.
 * CV_ENOTFOUND for an unknown list. The caller releases list.
 */
int exchange_status_list_load(struct store_conn *conn, const char *list_id,
			      struct exchange_status_list *list, char purpose[16],
			      struct cv_error *err);

/* Who signs what the node publishes. */
struct exchange_signer {
	const struct exchange_key *key;  /* with its secret */
	const char *verification_method; /* the URL partners resolve to key */
	const char *issuer;              /* the node's DID */
};

/* How a published status list presents itself. */
struct exchange_publication {
	const char *base_url; /* the node's public_url */
	int64_t now_ms;       /* validFrom and the proof's created */
	int64_t validity_ms;  /* validUntil = now + validity (0: none) */
	int64_t ttl_ms;       /* credentialSubject.ttl (0: none) */
};

/*
 * The BitstringStatusListCredential of list (list_id's bits and purpose,
 * from exchange_status_list_load), signed by signer (*signed_list: the
 * caller json_decref()s it). CV_EINVAL from signing (a key without its
 * secret, a did:key that is not the key).
 */
int exchange_status_list_publish(const char *list_id, const struct exchange_status_list *list,
				 const char *purpose, const struct exchange_publication *publication,
				 const struct exchange_signer *signer, json_t **signed_list,
				 struct cv_error *err);

#endif
