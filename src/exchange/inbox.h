/*
 * inbox.h — documents received from partner nodes (POST
 * /api/v1/exchange/inbox): verified, stored once, handed to the handler of
 * their kind, acknowledged; or refused, with the reason recorded.
 *
 * A message is a JSON document with an "id" (unique per sender), a "type"
 * and a Data Integrity proof (eddsa-jcs-2022). The sender is who signed it:
 * the proof's verification method DID#key must resolve, through the partner
 * registry only, to a key of an active partner. Then, in this order:
 *
 *   malformed       not JSON, no id or type, a proof that is not one;
 *   unknown_sender  the DID is no active partner, or the key is not its;
 *   bad_signature   the signature does not match (altered, or another key);
 *   expired         validUntil has passed;
 *   wrong_audience  a "to" member (a DID or a list of them) that does not
 *                   name this node;
 *   rejected        the handler of its kind refused it.
 *
 * A document id the sender used before is a replay: acknowledged as a
 * duplicate, nothing else happens, so a sender that retries after a lost
 * acknowledgement never has a document applied twice.
 *
 * Handlers. Code that acts on a kind of document (AEO status credentials,
 * advance cargo data, certificates of origin) registers a handler in the
 * table of handlers.c: kind (a value of the document's "type") and a
 * function run in the inbox's transaction, after the document is stored.
 * A handler that refuses the document (CV_EINVAL, CV_ECONFLICT,
 * CV_ENOTFOUND, CV_EPERM, with err saying why) undoes its writes and the
 * document's row (a savepoint), and the submission is refused as
 * "rejected"; any other error undoes the whole transaction and the sender
 * tries again later. A document of a kind with no handler is stored as
 * received.
 *
 * Thread-safe as far as the store is: use the calling thread's connection,
 * inside a write transaction.
 */
#ifndef CV_EXCHANGE_INBOX_H
#define CV_EXCHANGE_INBOX_H

#include "base/clock.h"
#include "base/ids.h"
#include "exchange/partners.h"
#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

#define EXCHANGE_DOCUMENT_ID_MAX 256
#define EXCHANGE_KIND_MAX 64
/* What of a refused body is kept, bytes. */
#define EXCHANGE_REFUSED_BODY_KEPT 8192

/* A verified document as a handler sees it. */
struct exchange_inbox_message {
	const char *id;                         /* the inbox row */
	const struct exchange_partner *partner; /* the sender */
	const char *document_id;
	const char *kind;
	const json_t *document; /* with its proof */
	int64_t now_ms;
};

struct exchange_inbox_handler {
	const char *kind; /* a value of the document's type: "AEOStatusCredential" */
	int (*handle)(struct store_conn *conn, const struct exchange_inbox_message *message,
		      struct cv_error *err);
};

/* The node's handlers (handlers.c), ending with {NULL, NULL}. */
extern const struct exchange_inbox_handler exchange_inbox_handlers[];

enum exchange_inbox_outcome {
	EXCHANGE_INBOX_ACCEPTED,
	EXCHANGE_INBOX_DUPLICATE,
	EXCHANGE_INBOX_MALFORMED,
	EXCHANGE_INBOX_UNKNOWN_SENDER,
	EXCHANGE_INBOX_BAD_SIGNATURE,
	EXCHANGE_INBOX_EXPIRED,
	EXCHANGE_INBOX_WRONG_AUDIENCE,
	EXCHANGE_INBOX_REJECTED,
};

/* A kind (a type name): 1 to EXCHANGE_KIND_MAX letters, digits, . _ - */
int exchange_kind_valid(const char *kind);

/* "accepted", "duplicate", "malformed", "unknown_sender", ... */
const char *exchange_inbox_outcome_name(enum exchange_inbox_outcome outcome);

struct exchange_inbox_context {
	const char *node_did; /* the audience a "to" must name; NULL: the node has none */
	const char *address;  /* the client's address, recorded with a refusal */
	const struct exchange_inbox_handler *handlers; /* ending with {NULL, NULL} */
	int64_t now_ms;
};

struct exchange_inbox_result {
	enum exchange_inbox_outcome outcome;
	char id[CV_UUID_STR]; /* the inbox row (accepted, duplicate) or the refusal's */
	char partner_id[CV_UUID_STR];
	char document_id[EXCHANGE_DOCUMENT_ID_MAX + 1];
	char kind[EXCHANGE_KIND_MAX + 1];
	char received_at[CV_RFC3339_MAX];
	char field[CV_ERROR_FIELD_MAX];    /* the member at fault, when a refusal has one */
	char detail[CV_ERROR_MESSAGE_MAX]; /* why it was refused */
};

/*
 * Receive the len bytes of body from a partner, in the caller's write
 * transaction: CV_OK when the outcome is settled — accepted, duplicate, or
 * refused with its row in exchange_refusals (commit in every case) — and
 * result tells which; an error (CV_EDB, CV_ENOMEM, a handler's failure
 * that is not a refusal) when nothing is settled: roll back, and the
 * sender will try again.
 */
int exchange_inbox_receive(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			   const char *body, size_t len, struct exchange_inbox_result *result);

#endif
