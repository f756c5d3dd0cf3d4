/*
 * certificates.h — electronic certificates of origin between nodes
 * (docs/EXCHANGE.md, "Certificates of origin").
 *
 * Exporting side. An officer of an issuing authority (a partner agency
 * holding the "origin" authority, such as the chamber of commerce) issues
 * a certificate: number KZ-CO-2026-000001, exporter (an operator registered
 * here), importer, consignment, items with HS, origin and origin
 * criterion, under a preferential arrangement. The node signs it as a
 * CertificateOfOriginCredential (documents.h) with a revocation entry in
 * its status list, keeps it, and queues it for the partner node of the
 * importing country when an agreement on certificates of origin is in
 * force there; the signed credential is in the answer too, for any
 * verifier. The authority can revoke it: the status list says so at once.
 *
 * Importing side. The inbox hands a received certificate to
 * exchange_certificate_receive: from a partner with the agreement, issued
 * by that partner's DID, of its country; it is kept under (country,
 * number) and its status list is put on the list the worker fetches
 * (exchange_status_lists_refresh). An import declaration's item claiming
 * preference names the certificate; exchange_preference_check decides the
 * claim (see there).
 *
 * Thread-safe as far as the store is.
 */
#ifndef CV_EXCHANGE_CERTIFICATES_H
#define CV_EXCHANGE_CERTIFICATES_H

#include "auth/sessions.h"
#include "base/err.h"
#include "exchange/inbox.h"
#include "exchange/node.h"
#include "store/db.h"
#include "trade/declarations.h"

#include <jansson.h>
#include <stdint.h>

/* The authority an agency holds to issue certificates of origin (agencies.authorities). */
#define EXCHANGE_ORIGIN_AUTHORITY "origin"
/* How long a certificate is valid unless the authority says otherwise (CIS FTA: 12 months). */
#define EXCHANGE_CERTIFICATE_VALID_DAYS 365

struct exchange_origin_context {
	const struct exchange_node *node; /* NULL: the node has no key (caravan init makes it) */
	const char *public_url;           /* where the node's status lists are */
	const char *node_country;
	int64_t now_ms;
};

/*
 * Issue a certificate from body (docs/openapi.yaml, CertificateOfOriginIssue)
 * by who, an officer of an agency holding the origin authority: checked
 * field by field (each fault appended to errors as {field, message}, then
 * CV_EINVAL), numbered, signed, kept and queued for the importing
 * country's partner. CV_EPERM when who's agency does not issue
 * certificates of origin; CV_EUNSUPPORTED when the node has no key. *out:
 * the certificate as GET shows it. In a write transaction.
 */
int exchange_certificate_issue(struct store_conn *conn, const struct exchange_origin_context *ctx,
			       const struct auth_principal *who, json_t *body, json_t *errors,
			       json_t **out, struct cv_error *err);

/*
 * Revoke an issued certificate (id or number): final; its status list says
 * so at once. CV_ENOTFOUND for one who may not see; CV_EPERM for an officer
 * of another authority; CV_ECONFLICT when revoked already. In a write
 * transaction.
 */
int exchange_certificate_revoke(struct store_conn *conn, const struct exchange_origin_context *ctx,
				const struct auth_principal *who, const char *key,
				const char *reason, json_t **out, struct cv_error *err);

/*
 * One certificate (id or number) as who may see it: the issuing authority
 * those it issued, customs and auditors all, a trader those naming it as
 * exporter or importer. With the signed credential and its status.
 * CV_ENOTFOUND otherwise.
 */
int exchange_certificate_get(struct store_conn *conn, const struct auth_principal *who,
			     const char *key, json_t **out);

/* The certificates who may see, newest first; direction "issued", "received" or NULL. */
int exchange_certificates_list(struct store_conn *conn, const struct auth_principal *who,
			       const char *direction, const char *number, const char *after,
			       int limit, json_t **items);

/* The inbox handler of CertificateOfOriginCredential (handlers.c). */
int exchange_certificate_receive(struct store_conn *conn,
				 const struct exchange_inbox_message *message, struct cv_error *err);

/* ---- preference on import ----------------------------------------------------------------- */

/* The items of one import declaration that claim preference under one certificate. */
struct exchange_preference_claim {
	const char *declaration_id; /* the import declaration (its own items are not "earlier") */
	const char *lodged_at;      /* RFC 3339: the agreement and the certificate as of then */
	const char *certificate;    /* its number as declared */
	const char *arrangement;    /* the preference claimed ("CIS-FTA") */
	const char *origin;         /* the items' country of origin */
	const char *importer;       /* the declaration's importer (identification number) */
	const struct trade_item *items;
	const int64_t *item_numbers; /* the declaration's numbers of items[] */
	size_t nitems;
};

struct exchange_preference_verdict {
	/*
	 * 1: the country of origin's node issues electronic certificates (an
	 * agreement in force), so the claim was checked against the received
	 * certificate; 0: a paper certificate, left to the officer.
	 */
	int electronic;
	int accepted;
	/* Why not: [{"check", "reason", "item"?}] (check: received, signature, issuer, status, validity, importer, arrangement, items). */
	json_t *reasons;
};

/*
 * Decide a claim to preference at now_ms on a node of node_country. When
 * the origin country's node sent certificates when the declaration was
 * lodged (a partner of that country with the agreement in force then), the
 * claim stands only if a certificate of that number came from such a
 * partner, its signature verifies against that partner's registered keys,
 * its issuer is that partner, its status list (as last fetched from that
 * partner, current now) does not say it is revoked, it was in force at
 * lodging, is made out to this country and this importer under this
 * arrangement, and it covers the items after what earlier import
 * declarations claimed under it (exchange_certificate_compare). Every
 * failure is a reason. Otherwise (or with no number: declarations older
 * than electronic certificates) the paper certificate is accepted as
 * declared. The caller json_decref()s verdict->reasons. CV_ENOMEM or a
 * store error only (then verdict->reasons is NULL).
 */
int exchange_preference_check(struct store_conn *conn, const char *node_country, int64_t now_ms,
			      const struct exchange_preference_claim *claim,
			      struct exchange_preference_verdict *verdict);

/* ---- partners' status lists --------------------------------------------------------------- */

/*
 * Fetch the partners' status lists that received certificates name and
 * that were not fetched in the last refresh_s seconds (at most a round's
 * worth), each from the partner's registered endpoint (the list's path on
 * it: a node never fetches from a host the partner registry does not
 * name), verify each (signed by the partner, its id the URL asked for, a
 * BitstringStatusListCredential) and keep it; a failure is kept as the
 * row's error and tried again next round. Network outside transactions;
 * tls (may be NULL) says how to connect over HTTPS (tls_client.h).
 * *fetched counts the lists kept. stop (may be NULL) ends the round early.
 */
struct exchange_tls_client;
int exchange_status_lists_refresh(struct store_conn *conn, int refresh_s, int timeout_ms,
				  const struct exchange_tls_client *tls, int (*stop)(void *),
				  void *stop_ctx, size_t *fetched);

/*
 * The partners' status lists as `caravan exchange status` shows them:
 * {watched, fetched, failing: [{url, country, error, attempted_at}]}.
 */
int exchange_status_lists_summary(struct store_conn *conn, json_t **out);

#endif
