/*
 * mra.h — mutual recognition of AEOs between nodes (docs/EXCHANGE.md).
 *
 * Sending: when an authorization is granted, suspended, lifted, revoked or
 * expires, and its holder consented to share its status with MRA partners,
 * the node tells every active partner whose MRA recognises the AEO type: a
 * signed AEOStatusCredential per partner (audience: that partner's DID),
 * queued in the outbox in the transaction of the change. The statement
 * carries the credentialStatus entries of the authorization's issued
 * credential (exchange/issued.h), whose status list bits follow the
 * authorization, so anyone can check a copy later.
 *
 * The statement is built and read by documents.h (exchange_aeo_status_build
 * and _read) from the rows sources.h loads; each is a document of its own
 * (a new id), dated to the millisecond.
 *
 * Receiving: the inbox hands an AEOStatusCredential from a partner to
 * exchange_mra_receive, which reads it member by member (a bad member is
 * the refusal's reason) and records it in the partner-AEO register
 * (partner_aeo.h) when this node's MRA with the sender recognises the type.
 */
#ifndef CV_EXCHANGE_MRA_H
#define CV_EXCHANGE_MRA_H

#include "base/err.h"
#include "exchange/documents.h"
#include "exchange/inbox.h"
#include "exchange/node.h"
#include "store/db.h"

#define EXCHANGE_AEO_STATUS_TYPE EXCHANGE_TYPE_AEO_STATUS

/* What announcing needs besides the database. */
struct exchange_mra_context {
	const struct exchange_node *node; /* NULL: the node has no key; nothing is sent */
	const char *public_url;           /* where the status lists are published */
	int64_t now_ms;
};

/*
 * Tell the MRA partners (partner_id NULL: every partner whose MRA
 * recognises the type; else only that one, which must have an MRA) the
 * current status of authorization_id, in the caller's write transaction.
 * Nothing is sent when the holder did not consent, when there is no such
 * partner, or when the node has no key yet. *queued (may be NULL): how many
 * partners it was queued for.
 */
int exchange_mra_announce(struct store_conn *conn, const struct exchange_mra_context *ctx,
			  const char *authorization_id, const char *partner_id, int *queued,
			  struct cv_error *err);

/*
 * Every authorization (valid or suspended, holder consenting, of a type the
 * partner's MRA recognises) to partner_id: the initial load of a new MRA
 * (caravan exchange sync-aeo). *queued: how many.
 */
int exchange_mra_sync(struct store_conn *conn, const struct exchange_mra_context *ctx,
		      const char *partner_id, int *queued, struct cv_error *err);

/* Authorizations in one part of a sync: ~0.15 s of signing and writing. */
#define EXCHANGE_MRA_SYNC_PART 1000
/* Bytes of an authorization id, with its NUL, that a sync's cursor holds. */
#define EXCHANGE_MRA_CURSOR_MAX 256

/*
 * One part of exchange_mra_sync, in the caller's write transaction: the
 * next limit authorizations in id order after the cursor after ("" at
 * first), which it advances; *more when there may be others. A caller
 * that commits each part (caravan exchange sync-aeo) lets the worker
 * deliver the first parts while it signs the next.
 */
int exchange_mra_sync_part(struct store_conn *conn, const struct exchange_mra_context *ctx,
			   const char *partner_id, char after[EXCHANGE_MRA_CURSOR_MAX], int limit,
			   int *queued, int *more, struct cv_error *err);

/* Inbox handler for EXCHANGE_AEO_STATUS_TYPE. */
int exchange_mra_receive(struct store_conn *conn, const struct exchange_inbox_message *message,
			 struct cv_error *err);

#endif
