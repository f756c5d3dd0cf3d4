/*
 * outbox.h — documents for partner nodes: signed and written in the
 * transaction of the change that caused them (a transactional outbox),
 * then delivered by a background worker until the partner acknowledges
 * them, none lost, in order per partner.
 *
 * A queued document is signed at once with the node's current key
 * (verification method DID#key-N) and kept in its canonical form, so that
 * every attempt sends the same bytes and a partner that received it once
 * recognises a retry by its id. The worker (exchange_outbox_deliver, run
 * by `caravan serve` every exchange_poll_ms) POSTs each due document to
 * ENDPOINT/api/v1/exchange/inbox:
 *
 *   - a 2xx with a receipt naming the document ({"acknowledged": true,
 *     "id": DOCUMENT_ID}) makes it acknowledged; a 2xx without one (a
 *     receiver that is not caravan) delivered;
 *   - anything else, or no answer, is a failed attempt: the next is 1, 2,
 *     4 ... seconds later, at most exchange_backoff_max, and the partner's
 *     later documents wait behind it;
 *   - a document still not taken exchange_fail_after seconds after it was
 *     queued is failed, with the last error.
 *
 * Batches. A partner's due documents go EXCHANGE_BATCH_MAX at a time in
 * one POST ({"ordered": true, "documents": [...]}, see inbox.h), and each
 * receipt of the answer is read as the answer to that document alone would
 * be: acknowledged, or refused (a failed attempt, as above, which holds
 * the partner's later documents back: an ordered batch leaves them
 * unsettled at the partner, "skipped", and they are sent again after it).
 * A partner that answers a batch with a 4xx, or a 2xx without a receipt
 * per document, does not take batches: its documents go one per POST, and
 * the policy's memory keeps it so for EXCHANGE_BATCH_RETRY_S.
 *
 * Volume: an initial load of ~20,000 AEO credentials to one partner, tens
 * of documents a minute after that. A round takes up to EXCHANGE_ROUND_MAX
 * documents per partner, sends them over one reused connection, and
 * records their states in one transaction per partner.
 *
 * Thread-safe as far as the store is: use the calling thread's connection.
 */
#ifndef CV_EXCHANGE_OUTBOX_H
#define CV_EXCHANGE_OUTBOX_H

#include "base/ids.h"
#include "exchange/inbox.h"
#include "exchange/node.h"
#include "store/db.h"

#include <jansson.h>

struct exchange_tls_client;

/* Documents one delivery round takes at most, per partner. */
#define EXCHANGE_ROUND_MAX 2000
/* Documents in one POST at most: what a caravan inbox takes in a batch. */
#define EXCHANGE_BATCH_MAX EXCHANGE_INBOX_BATCH_MAX
/* Bytes of documents in one POST at most: well within a node's max_body (16 MiB). */
#define EXCHANGE_BATCH_BYTES_MAX (4 * 1024 * 1024)
/* How long a partner that did not take a batch gets one document per POST. */
#define EXCHANGE_BATCH_RETRY_S 3600
/* Partners a worker's memory holds. */
#define EXCHANGE_MEMORY_PARTNERS 16

/*
 * Queue document (a JSON object without a proof) for the partner
 * partner_id, in the caller's write transaction: kind must be one of the
 * document's types (it is how the partner's inbox picks the handler); the
 * document gets an "id" (urn:uuid:UUIDv7) when it has none, is signed with
 * node's current key and stored pending. *message_id (may be NULL) is the
 * outbox row. CV_ENOTFOUND for an unknown partner, CV_ECONFLICT for an
 * inactive one or a document id queued for it already, CV_EINVAL for a
 * bad kind or document, CV_EUNSUPPORTED when node is NULL (no key yet).
 */
int exchange_outbox_queue(struct store_conn *conn, const struct exchange_node *node,
			  const char *partner_id, const char *kind, const json_t *document,
			  char message_id[CV_UUID_STR], struct cv_error *err);

/*
 * What a worker learns across rounds: the partners that did not take a
 * batch, and until when they get one document per POST. Caller-owned,
 * zeroed before the first round; one worker's.
 */
struct exchange_delivery_memory {
	struct {
		char partner_id[CV_UUID_STR];
		int64_t until_ms;
	} single[EXCHANGE_MEMORY_PARTNERS];
};

/* How the worker delivers: from the configuration. */
struct exchange_delivery_policy {
	int backoff_max; /* seconds between two attempts, at most */
	int fail_after;  /* seconds after queueing when a document is failed */
	int timeout_ms;  /* one attempt, connection included */
	/* Asked between POSTs: a non-zero answer ends the round early (shutdown). */
	int (*stopping)(void *ctx);
	void *stopping_ctx;
	/* Documents in one POST at most: 0 for EXCHANGE_BATCH_MAX, 1 for one at a time. */
	int batch_max;
	/* NULL: a partner that does not take batches is found out again each round. */
	struct exchange_delivery_memory *memory;
	/* HTTPS to partners: CAs, and the client certificate for mutual TLS (NULL: defaults). */
	const struct exchange_tls_client *tls;
};

struct exchange_delivery_counts {
	size_t attempted, acknowledged, delivered, retrying, failed;
	size_t posts; /* HTTP requests made */
	int full;     /* a partner had EXCHANGE_ROUND_MAX due: more may be due at once */
};

/*
 * One delivery round: fail what is too old, then send what is due (see
 * above). Opens and commits its own transactions: call outside one.
 */
int exchange_outbox_deliver(struct store_conn *conn, const struct exchange_delivery_policy *policy,
			    struct exchange_delivery_counts *counts);

#endif
