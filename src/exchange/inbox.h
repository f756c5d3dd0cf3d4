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
 * Batches. A sender with many documents for this node (an initial load of
 * 20,000 AEO credentials) posts them together: {"documents": [DOCUMENT,
 * ...], "ordered": true} — a JSON object with a "documents" member and no
 * proof, at most EXCHANGE_INBOX_BATCH_MAX documents. Each is checked as if
 * posted alone and settled in its own savepoint, in order, and gets its own
 * outcome; the batch is one transaction (one fsync). "ordered" (default
 * false) says the documents depend on their order: the first refused one
 * ends the batch, the ones after it are left unsettled (skipped) and the
 * sender sends them again after it, as it would have one at a time.
 *
 * Two steps. exchange_inbox_check() does what needs no writer — parsing,
 * the registry lookups, the signatures (~150 µs a document) — on any
 * connection, outside a transaction; exchange_inbox_settle() then records
 * each document's outcome in the write transaction, checking again that
 * its sender is still an active partner. exchange_inbox_receive() is both
 * for one document.
 *
 * Thread-safe as far as the store is: use the calling thread's connection,
 * inside a write transaction (settle, receive).
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
	const char *node_country; /* this node's (a document about another country's imports is refused); NULL: not known */
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
	/*
	 * Mutual TLS: the SHA-256 of the client certificate the connection
	 * showed (http_request.client_certificate), NULL for none. A partner
	 * registered with a certificate is an unknown sender without it.
	 */
	const char *client_certificate;
	const char *node_country; /* handed to the handlers */
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

/* Most documents in one batch: a sender with more sends several batches. */
#define EXCHANGE_INBOX_BATCH_MAX 500

/* A body checked by exchange_inbox_check(), waiting to be settled. */
struct exchange_inbox_submission;

/*
 * Check the len bytes of body (kept, not copied: they must outlive the
 * submission) without writing: a single document, or a batch of them (see
 * above). A batch that is not one (documents not a list of 1 to
 * EXCHANGE_INBOX_BATCH_MAX, ordered not true or false) is one malformed
 * submission, refused as a whole. *out is the submission (free it with
 * exchange_inbox_submission_free) when CV_OK; an error (CV_EDB, CV_ENOMEM)
 * when the registry could not be read: answer 5xx, the sender tries again.
 */
int exchange_inbox_check(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			 const char *body, size_t len, struct exchange_inbox_submission **out);

/* Is it a batch (answered with one receipt per document)? */
int exchange_inbox_submission_is_batch(const struct exchange_inbox_submission *s);
/* Does a refused document end it (a batch sent with "ordered": true)? */
int exchange_inbox_submission_ordered(const struct exchange_inbox_submission *s);
/* Was it refused for holding more than EXCHANGE_INBOX_BATCH_MAX documents? */
int exchange_inbox_submission_too_many(const struct exchange_inbox_submission *s);
/* Its documents: 1 unless a batch. */
size_t exchange_inbox_submission_count(const struct exchange_inbox_submission *s);
/* The id of its document i, NULL when it has none. */
const char *exchange_inbox_submission_document_id(const struct exchange_inbox_submission *s,
						  size_t i);

/*
 * Settle document i of s in the caller's write transaction, as
 * exchange_inbox_receive does (same outcomes, same rows, same errors).
 * Settle them in order; each once.
 */
int exchange_inbox_settle(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			  struct exchange_inbox_submission *s, size_t i,
			  struct exchange_inbox_result *result);

/* NULL is a no-op. */
void exchange_inbox_submission_free(struct exchange_inbox_submission *s);

#endif
