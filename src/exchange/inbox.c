/*
 * inbox.c — receiving documents from partners (see inbox.h).
 *
 * Design. The checks run cheapest and least revealing first: the shape,
 * then who claims to have signed (a registry lookup), then the signature
 * (an Ed25519 verification), then what the signed content says (expiry,
 * audience) — so that every refusal after the signature check is about a
 * document the partner really sent. Keys come from the registry only: the
 * resolver is given the partner's DID document and nothing else, so a
 * did:key, or a did:web that is not a partner's, is an unknown sender
 * however valid its signature.
 *
 * The checks are split from the writes (exchange_inbox_check, then
 * exchange_inbox_settle per document) so that the HTTP layer runs them
 * before it takes the node's writer: checking is most of a document's cost,
 * and the writer is shared by every write request. Settling looks at the
 * partner's status again, inside the transaction, since it may have been
 * made inactive in between. For a batch, the registry is read once per
 * sender and the signatures are checked on several threads (check_signed
 * touches no database and no shared state).
 *
 * The document's row and its handler's writes share a savepoint: a handler
 * that refuses the document takes both back, and what remains of the
 * transaction is the refusal's row, which the caller commits with its
 * audit row.
 *
 * Volume: a partner sends up to ~20,000 AEO credentials in an initial load
 * (40 batches of 500) and tens of documents a minute after that; each
 * costs one parse, a signature check (~60 µs of Ed25519 and SHA-256) and
 * its rows (~60 µs), the registry reads being shared by a batch.
 */
#include "exchange/inbox.h"

#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/did.h"
#include "exchange/jcs.h"

#include <assert.h>
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SAVEPOINT "exchange_inbox"
#define GENERIC_TYPE "VerifiableCredential"
/* A number's digits as a string literal, for messages. */
#define DIGITS_OF(x) #x
#define TEXT_OF(x) DIGITS_OF(x)
/* Threads that check a batch's signatures at most, and the documents that make one worth it. */
#define VERIFY_THREADS_MAX 4
#define VERIFY_THREAD_MIN_DOCUMENTS 50

static const char *const outcome_names[] = {
	[EXCHANGE_INBOX_ACCEPTED] = "accepted",
	[EXCHANGE_INBOX_DUPLICATE] = "duplicate",
	[EXCHANGE_INBOX_MALFORMED] = "malformed",
	[EXCHANGE_INBOX_UNKNOWN_SENDER] = "unknown_sender",
	[EXCHANGE_INBOX_BAD_SIGNATURE] = "bad_signature",
	[EXCHANGE_INBOX_EXPIRED] = "expired",
	[EXCHANGE_INBOX_WRONG_AUDIENCE] = "wrong_audience",
	[EXCHANGE_INBOX_REJECTED] = "rejected",
};

const char *exchange_inbox_outcome_name(enum exchange_inbox_outcome outcome)
{
	return (unsigned)outcome <= EXCHANGE_INBOX_REJECTED ? outcome_names[outcome] : "unknown";
}

/* Keep the result's text fields within their buffers. */
static void copy(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text ? text : "");
}

/*
 * Record the refusal result describes (outcome, field, detail set): a row
 * in exchange_refusals keeps it with the body's hash (and its first bytes
 * when it was JSON, cut at a character's start so that the text stays
 * UTF-8); result->id becomes the row's.
 */
static int record_refusal(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			  const char *body, size_t len, int parsed,
			  struct exchange_inbox_result *result)
{
	char sha256[CV_SHA256_HEX], *kept = NULL;
	size_t cut = len < EXCHANGE_REFUSED_BODY_KEPT ? len : EXCHANGE_REFUSED_BODY_KEPT;
	int rc;

	cv_uuid7(result->id);
	cv_sha256_hex(body, len, sha256);
	while (parsed && cut < len && cut > 0 && ((unsigned char)body[cut] & 0xC0) == 0x80)
		cut--;
	if (parsed && (kept = cv_strndup(body, cut)) == NULL)
		return CV_ENOMEM;
	rc = store_execf(conn, NULL,
			 "INSERT INTO exchange_refusals (id, received_at, address, partner_id,"
			 " document_id, kind, reason, detail, body_sha256, body_size, body)"
			 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			 "tttttttttit", result->id, result->received_at,
			 ctx->address ? ctx->address : "",
			 result->partner_id[0] ? result->partner_id : NULL,
			 result->document_id[0] ? result->document_id : NULL,
			 result->kind[0] ? result->kind : NULL,
			 exchange_inbox_outcome_name(result->outcome), result->detail, sha256,
			 (int64_t)len, kept ? kept : "");
	cv_free(kept);
	return rc;
}

/* Say why result is refused (recorded when settled). */
static void deny(struct exchange_inbox_result *result, enum exchange_inbox_outcome outcome,
		 const char *field, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void deny(struct exchange_inbox_result *result, enum exchange_inbox_outcome outcome,
		 const char *field, const char *fmt, ...)
{
	va_list ap;

	result->outcome = outcome;
	copy(result->field, sizeof(result->field), field);
	va_start(ap, fmt);
	vsnprintf(result->detail, sizeof(result->detail), fmt, ap);
	va_end(ap);
}

int exchange_kind_valid(const char *kind)
{
	size_t n = strlen(kind);

	if (n == 0 || n > EXCHANGE_KIND_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)kind[i]) && !strchr("._-", kind[i]))
			return 0;
	return 1;
}

/*
 * The document's kind: the first of its types a handler takes (*handler
 * set), else its most specific type (the last that is not
 * VerifiableCredential). 0 when "type" is not a type or a list of them.
 */
static int document_kind(const json_t *document, const struct exchange_inbox_handler *handlers,
			 const struct exchange_inbox_handler **handler,
			 char kind[EXCHANGE_KIND_MAX + 1])
{
	const json_t *types = json_object_get(document, "type");
	size_t n = json_is_array(types) ? json_array_size(types) : 1;

	*handler = NULL;
	kind[0] = '\0';
	if (!json_is_string(types) && !(json_is_array(types) && n > 0))
		return 0;
	for (size_t i = 0; i < n; i++) {
		const char *t = json_string_value(json_is_array(types) ? json_array_get(types, i)
								       : types);

		if (!t || !exchange_kind_valid(t))
			return 0;
		for (const struct exchange_inbox_handler *h = handlers; h && h->kind && !*handler;
		     h++)
			if (!strcmp(h->kind, t))
				*handler = h;
		if (strcmp(t, GENERIC_TYPE) || !kind[0])
			copy(kind, EXCHANGE_KIND_MAX + 1, t);
	}
	if (*handler)
		copy(kind, EXCHANGE_KIND_MAX + 1, (*handler)->kind);
	return 1;
}

/* Does the "to" member (absent, a DID or a list of DIDs) name did? -1 when it is neither. */
static int addressed_to(const json_t *to, const char *did)
{
	size_t i;
	json_t *v;

	if (!to)
		return 1;
	if (json_is_string(to))
		return did && !strcmp(json_string_value(to), did);
	if (!json_is_array(to))
		return -1;
	json_array_foreach(to, i, v) {
		if (!json_is_string(v))
			return -1;
		if (did && !strcmp(json_string_value(v), did))
			return 1;
	}
	return 0;
}

/* The verification method's DID (before '#') into did; 0 when it has none. */
static int method_did(const char *method, char did[EXCHANGE_DID_MAX])
{
	const char *hash = strchr(method, '#');

	if (!hash || hash == method || (size_t)(hash - method) >= EXCHANGE_DID_MAX)
		return 0;
	snprintf(did, EXCHANGE_DID_MAX, "%.*s", (int)(hash - method), method);
	return 1;
}

/*
 * What the registry says of the DID a document names as its signer: read
 * once per DID in a submission (a batch comes from one sender).
 */
struct sender {
	char did[EXCHANGE_DID_MAX];
	int rc; /* exchange_partner_load's: CV_OK, CV_ENOTFOUND */
	struct exchange_partner partner;
	json_t *did_document; /* its registered keys, for an active partner */
};

static int sender_load(struct store_conn *conn, const char *did, struct sender *sender)
{
	if (sender->did[0] && !strcmp(sender->did, did))
		return CV_OK;
	json_decref(sender->did_document);
	memset(sender, 0, sizeof(*sender));
	sender->rc = exchange_partner_load(conn, did, &sender->partner);
	if (sender->rc && sender->rc != CV_ENOTFOUND)
		return sender->rc;
	if (!sender->rc && sender->partner.active &&
	    exchange_partner_did_document(conn, &sender->partner, &sender->did_document))
		return CV_EDB;
	copy(sender->did, sizeof(sender->did), did);
	return CV_OK;
}

/* Verify the document's proof against keys, the sender's DID document. */
static int verify(const json_t *keys, const json_t *document, struct cv_error *err)
{
	const json_t *docs[1] = {keys};
	struct exchange_did_documents set = {docs, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};

	return exchange_credential_verify_with(document, &resolver, err);
}

/* Is the document a replay of one this partner sent before? Fill result when so. */
static int find_duplicate(struct store_conn *conn, struct exchange_inbox_result *result, int *found)
{
	struct store_stmt *stmt;
	int rc = store_query_row(conn, &stmt,
				 "SELECT id, received_at, kind FROM exchange_inbox"
				 " WHERE partner_id = $1 AND document_id = $2",
				 "tt", result->partner_id, result->document_id);

	*found = rc == CV_OK;
	if (rc == CV_ENOTFOUND)
		return CV_OK;
	if (rc)
		return rc;
	result->outcome = EXCHANGE_INBOX_DUPLICATE;
	copy(result->id, sizeof(result->id), store_col_text(stmt, 0));
	copy(result->received_at, sizeof(result->received_at), store_col_text(stmt, 1));
	copy(result->kind, sizeof(result->kind), store_col_text(stmt, 2));
	store_finish(stmt);
	return CV_OK;
}

/* Is a handler's error a refusal of the document (not a failure of the node)? */
static int is_refusal(int rc)
{
	return rc == CV_EINVAL || rc == CV_ECONFLICT || rc == CV_ENOTFOUND || rc == CV_EPERM;
}

/*
 * Store the verified document and run its handler, both under a savepoint.
 * *refused is set (and err says why) when the handler refused it: both are
 * then undone.
 */
static int store_document(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			  const struct exchange_partner *partner, const json_t *document,
			  const char *method, const char *body, size_t len,
			  const struct exchange_inbox_handler *handler,
			  struct exchange_inbox_result *result, int *refused, struct cv_error *err)
{
	struct exchange_inbox_message message = {result->id,       partner,  result->document_id,
						 result->kind,     document, ctx->now_ms,
						 ctx->node_country};
	char *text = cv_strndup(body, len);
	int rc;

	*refused = 0;
	if (!text)
		return CV_ENOMEM;
	cv_uuid7(result->id);
	rc = store_execf(conn, NULL, "SAVEPOINT " SAVEPOINT, "");
	if (!rc)
		rc = store_execf(conn, NULL,
				 "INSERT INTO exchange_inbox (id, partner_id, document_id, kind, body,"
				 " verification_method, verification, handled, received_at)"
				 " VALUES ($1, $2, $3, $4, $5, $6, 'valid', $7, $8)",
				 "tttttttt", result->id, partner->id, result->document_id,
				 result->kind, text, method, handler ? "handled" : "",
				 result->received_at);
	cv_free(text);
	if (rc)
		return rc;
	if (handler) {
		cv_error_clear(err);
		rc = handler->handle(conn, &message, err);
		if (rc && is_refusal(rc)) {
			*refused = 1;
			rc = store_execf(conn, NULL, "ROLLBACK TO SAVEPOINT " SAVEPOINT, "");
		} else if (rc) {
			return rc;
		}
	}
	return rc ? rc : store_execf(conn, NULL, "RELEASE SAVEPOINT " SAVEPOINT, "");
}

/* ---- check: everything that needs no writer ---------------------------------- */

/* One document of a submission, checked, waiting to be settled. */
struct checked {
	struct exchange_inbox_result result; /* a refusal's outcome, field, detail when refused */
	int refused;
	int parsed;       /* the body is JSON: a refusal keeps its first bytes */
	const char *body; /* what a refusal records the hash of, and an inbox row keeps */
	size_t len;
	char *owned;      /* body, when it is the canonical form of a batch's member */
	json_t *document; /* NULL when the body is not JSON */
	json_t *keys;     /* the sender's DID document, once the sender is known */
	struct exchange_partner partner;
	const char *method; /* in document */
	const struct exchange_inbox_handler *handler;
};

struct exchange_inbox_submission {
	int batch, ordered, too_many;
	size_t count;
	struct checked *docs;
	/* A partner found active in the write transaction: it stays so until its end. */
	char active_partner[CV_UUID_STR];
};

/*
 * Check c->document (parsed from c->body), in the order of inbox.h, up to
 * its sender: what needs the registry. c->refused when it is refused;
 * else c->keys holds the sender's keys for check_signed. An error when the
 * registry could not be read.
 */
static int check_sender(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			struct sender *sender, struct checked *c)
{
	struct exchange_inbox_result *result = &c->result;
	const json_t *document = c->document;
	const char *id = json_string_value(json_object_get(document, "id"));
	char did[EXCHANGE_DID_MAX];
	int rc;

	c->refused = 1;
	if (!json_is_object(document))
		return deny(result, EXCHANGE_INBOX_MALFORMED, NULL, "the body is not a JSON object"),
		       CV_OK;
	if (!id || !*id || strlen(id) > EXCHANGE_DOCUMENT_ID_MAX)
		return deny(result, EXCHANGE_INBOX_MALFORMED, "id",
			    "the document has no id (a string of 1 to %d characters, unique per "
			    "sender: urn:uuid:...)",
			    EXCHANGE_DOCUMENT_ID_MAX),
		       CV_OK;
	copy(result->document_id, sizeof(result->document_id), id);
	if (!document_kind(document, ctx->handlers, &c->handler, result->kind))
		return deny(result, EXCHANGE_INBOX_MALFORMED, "type",
			    "the document's type must be a type or a list of types (letters, "
			    "digits, . _ -, at most %d each)",
			    EXCHANGE_KIND_MAX),
		       CV_OK;
	c->method = json_string_value(
		json_object_get(json_object_get(document, "proof"), "verificationMethod"));
	if (!c->method || !method_did(c->method, did))
		return deny(result, EXCHANGE_INBOX_MALFORMED, "proof.verificationMethod",
			    "the document has no proof with a verificationMethod DID#KEY: it must "
			    "be signed by the sender (eddsa-jcs-2022)"),
		       CV_OK;
	rc = sender_load(conn, did, sender);
	if (rc)
		return rc;
	if (sender->rc == CV_ENOTFOUND || !sender->partner.active) {
		if (sender->rc == CV_OK)
			copy(result->partner_id, sizeof(result->partner_id), sender->partner.id);
		return deny(result, EXCHANGE_INBOX_UNKNOWN_SENDER, "proof.verificationMethod",
			    sender->rc == CV_OK ? "%.200s is an inactive partner of this node"
						: "%.200s is not a partner of this node",
			    did),
		       CV_OK;
	}
	c->partner = sender->partner;
	copy(result->partner_id, sizeof(result->partner_id), c->partner.id);
	/* Two locks when the administrations agreed on mutual TLS: the connection, then the signature. */
	if (c->partner.tls_certificate[0] &&
	    (!ctx->client_certificate || strcmp(ctx->client_certificate, c->partner.tls_certificate)))
		return deny(result, EXCHANGE_INBOX_UNKNOWN_SENDER, "tls",
			    "mutual TLS: %.200s sends only over a connection showing its registered "
			    "client certificate, and this one showed %s",
			    did, ctx->client_certificate ? "another" : "none (or an untrusted one)"),
		       CV_OK;
	c->keys = json_incref(sender->did_document);
	c->refused = 0;
	return CV_OK;
}

/*
 * The rest of the checks of a document that passed check_sender: its
 * signature, then what the signed content says. No database: it may run
 * on any thread (jansson counts references atomically; c is this
 * thread's alone, c->keys only read). An error (CV_ENOMEM) when the check
 * itself failed.
 */
static int check_signed(const struct exchange_inbox_context *ctx, struct checked *c)
{
	struct exchange_inbox_result *result = &c->result;
	const json_t *document = c->document, *valid_until;
	struct cv_error err;
	int64_t until_ms;
	int rc;

	assert(!c->refused && c->keys);
	cv_error_clear(&err);
	c->refused = 1;
	rc = verify(c->keys, document, &err);
	if (rc) {
		enum exchange_inbox_outcome outcome = rc == CV_ENOTFOUND
							      ? EXCHANGE_INBOX_UNKNOWN_SENDER
						      : rc == CV_EAUTH ? EXCHANGE_INBOX_BAD_SIGNATURE
								       : EXCHANGE_INBOX_MALFORMED;

		if (rc != CV_ENOTFOUND && rc != CV_EAUTH && rc != CV_EINVAL && rc != CV_EUNSUPPORTED)
			return rc;
		return deny(result, outcome, err.field, "%s", err.message), CV_OK;
	}
	valid_until = json_object_get(document, "validUntil");
	if (valid_until && (!json_is_string(valid_until) ||
			    cv_clock_parse_rfc3339(json_string_value(valid_until), &until_ms)))
		return deny(result, EXCHANGE_INBOX_MALFORMED, "validUntil",
			    "validUntil is not an RFC 3339 date and time"),
		       CV_OK;
	if (valid_until && until_ms < ctx->now_ms)
		return deny(result, EXCHANGE_INBOX_EXPIRED, "validUntil",
			    "the document expired at %.40s", json_string_value(valid_until)),
		       CV_OK;
	switch (addressed_to(json_object_get(document, "to"), ctx->node_did)) {
	case 1: break;
	case 0:
		return deny(result, EXCHANGE_INBOX_WRONG_AUDIENCE, "to",
			    "the document is addressed to another node than %.200s",
			    ctx->node_did ? ctx->node_did : "this one (which has no DID yet)"),
		       CV_OK;
	default:
		return deny(result, EXCHANGE_INBOX_MALFORMED, "to",
			    "to must be a DID or a list of DIDs"),
		       CV_OK;
	}
	c->refused = 0;
	return CV_OK;
}

/* Both checks of one document, on the calling thread. */
static int check_document(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			  struct checked *c)
{
	struct sender sender;
	int rc;

	memset(&sender, 0, sizeof(sender));
	rc = check_sender(conn, ctx, &sender, c);
	json_decref(sender.did_document);
	return rc || c->refused ? rc : check_signed(ctx, c);
}

/* A share of a batch's signature checks: documents from, from + step, ... */
struct verifier {
	const struct exchange_inbox_context *ctx;
	struct checked *docs;
	size_t count, from, step;
	int rc;
	pthread_t thread;
	int started;
};

static void *verify_share(void *arg)
{
	struct verifier *v = arg;

	for (size_t i = v->from; i < v->count && !v->rc; i += v->step)
		if (!v->docs[i].refused)
			v->rc = check_signed(v->ctx, &v->docs[i]);
	return NULL;
}

/*
 * check_signed for each of the count documents that passed check_sender,
 * on up to VERIFY_THREADS_MAX threads (this one included): the Ed25519
 * checks of a batch are most of its cost and need nothing shared.
 */
static int verify_all(const struct exchange_inbox_context *ctx, struct checked *docs, size_t count)
{
	struct verifier v[VERIFY_THREADS_MAX];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = count / VERIFY_THREAD_MIN_DOCUMENTS;
	int rc = CV_OK;

	if (n > (size_t)(cpus > 0 ? cpus : 1))
		n = (size_t)(cpus > 0 ? cpus : 1);
	if (n > VERIFY_THREADS_MAX)
		n = VERIFY_THREADS_MAX;
	if (n < 1)
		n = 1;
	for (size_t t = 0; t < n; t++) {
		v[t] = (struct verifier){ctx, docs, count, t, n, CV_OK, 0, 0};
		/* The first share is this thread's; a thread that cannot start leaves its share here. */
		if (t > 0)
			v[t].started = pthread_create(&v[t].thread, NULL, verify_share, &v[t]) == 0;
	}
	for (size_t t = 0; t < n; t++)
		if (!v[t].started)
			verify_share(&v[t]);
	for (size_t t = 0; t < n; t++) {
		if (v[t].started)
			pthread_join(v[t].thread, NULL);
		if (!rc)
			rc = v[t].rc;
	}
	return rc;
}

static struct exchange_inbox_submission *submission_new(size_t count)
{
	struct exchange_inbox_submission *s = cv_calloc(1, sizeof(*s));

	if (s && !(s->docs = cv_calloc(count, sizeof(*s->docs)))) {
		cv_free(s);
		return NULL;
	}
	if (s)
		s->count = count;
	return s;
}

void exchange_inbox_submission_free(struct exchange_inbox_submission *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++) {
		json_decref(s->docs[i].document);
		json_decref(s->docs[i].keys);
		cv_free(s->docs[i].owned);
	}
	cv_free(s->docs);
	cv_free(s);
}

/* Is the parsed body a batch: an object with documents and no proof? */
static int is_batch(const json_t *body)
{
	return json_is_object(body) && json_object_get(body, "documents") &&
	       !json_object_get(body, "proof");
}

/* What is wrong with the batch as a whole, or NULL. */
static const char *batch_fault(const json_t *body, const char **field, int *too_many)
{
	const json_t *documents = json_object_get(body, "documents"),
		     *ordered = json_object_get(body, "ordered");

	*field = "documents";
	*too_many = 0;
	if (!json_is_array(documents) || json_array_size(documents) == 0)
		return "documents must be a list of 1 to " TEXT_OF(
			EXCHANGE_INBOX_BATCH_MAX) " signed documents";
	if (json_array_size(documents) > EXCHANGE_INBOX_BATCH_MAX) {
		*too_many = 1;
		return "a batch holds at most " TEXT_OF(
			EXCHANGE_INBOX_BATCH_MAX) " documents: send the others in the next";
	}
	*field = "ordered";
	if (ordered && !json_is_boolean(ordered))
		return "ordered must be true or false";
	return NULL;
}

/* Check each member of a well-formed batch, with its canonical form as its body. */
static int check_batch(struct store_conn *conn, const struct exchange_inbox_context *ctx,
		       const json_t *documents, struct exchange_inbox_submission *s)
{
	char received_at[CV_RFC3339_MAX];
	struct sender sender;
	struct cv_buf text;
	int rc = CV_OK;

	memset(&sender, 0, sizeof(sender));
	cv_buf_init(&text);
	cv_clock_format_rfc3339_ms(ctx->now_ms, received_at, sizeof(received_at));
	for (size_t i = 0; !rc && i < s->count; i++) {
		struct checked *c = &s->docs[i];

		memcpy(c->result.received_at, received_at, sizeof(received_at));
		c->document = json_incref(json_array_get(documents, i));
		c->parsed = 1;
		/* What exchange_jcs_parse read always has a canonical form: no CV_EINVAL. */
		rc = exchange_jcs_serialize(c->document, &text, NULL);
		if (!rc && !(c->owned = cv_buf_detach(&text, &c->len)))
			rc = CV_ENOMEM;
		if (rc)
			break;
		c->body = c->owned;
		rc = check_sender(conn, ctx, &sender, c);
	}
	cv_buf_release(&text);
	json_decref(sender.did_document);
	return rc ? rc : verify_all(ctx, s->docs, s->count);
}

int exchange_inbox_check(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			 const char *body, size_t len, struct exchange_inbox_submission **out)
{
	struct exchange_inbox_submission *s = NULL;
	json_t *parsed = NULL;
	struct cv_error err;
	const char *fault = NULL, *field = NULL;
	int too_many = 0, rc;

	*out = NULL;
	cv_error_clear(&err);
	if (exchange_jcs_parse(body, len, "body", &parsed, &err) == CV_OK && is_batch(parsed)) {
		fault = batch_fault(parsed, &field, &too_many);
		if (!fault) {
			s = submission_new(json_array_size(json_object_get(parsed, "documents")));
			if (!s) {
				json_decref(parsed);
				return CV_ENOMEM;
			}
			s->batch = 1;
			s->ordered = json_is_true(json_object_get(parsed, "ordered"));
			rc = check_batch(conn, ctx, json_object_get(parsed, "documents"), s);
			json_decref(parsed);
			if (rc) {
				exchange_inbox_submission_free(s);
				return rc;
			}
			*out = s;
			return CV_OK;
		}
	}
	/* One document, or a body refused as a whole. */
	if (!(s = submission_new(1))) {
		json_decref(parsed);
		return CV_ENOMEM;
	}
	s->docs[0].body = body;
	s->docs[0].len = len;
	s->docs[0].document = parsed;
	s->docs[0].parsed = parsed != NULL;
	cv_clock_format_rfc3339_ms(ctx->now_ms, s->docs[0].result.received_at,
				   sizeof(s->docs[0].result.received_at));
	rc = CV_OK;
	if (!parsed) {
		s->docs[0].refused = 1;
		deny(&s->docs[0].result, EXCHANGE_INBOX_MALFORMED, NULL,
		     "the body is not a JSON document: %s", err.message);
	} else if (fault) {
		s->docs[0].refused = 1;
		s->too_many = too_many;
		deny(&s->docs[0].result, EXCHANGE_INBOX_MALFORMED, field, "%s", fault);
	} else {
		rc = check_document(conn, ctx, &s->docs[0]);
	}
	if (rc) {
		exchange_inbox_submission_free(s);
		return rc;
	}
	*out = s;
	return CV_OK;
}

int exchange_inbox_submission_is_batch(const struct exchange_inbox_submission *s)
{
	return s->batch;
}

int exchange_inbox_submission_ordered(const struct exchange_inbox_submission *s)
{
	return s->ordered;
}

int exchange_inbox_submission_too_many(const struct exchange_inbox_submission *s)
{
	return s->too_many;
}

size_t exchange_inbox_submission_count(const struct exchange_inbox_submission *s)
{
	return s->count;
}

const char *exchange_inbox_submission_document_id(const struct exchange_inbox_submission *s,
						  size_t i)
{
	assert(i < s->count);
	return s->docs[i].result.document_id[0] ? s->docs[i].result.document_id : NULL;
}

/* ---- settle: in the write transaction ------------------------------------------ */

int exchange_inbox_settle(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			  struct exchange_inbox_submission *s, size_t i,
			  struct exchange_inbox_result *result)
{
	struct checked *c = &s->docs[i];
	struct exchange_partner now;
	struct cv_error err;
	int rc, refused, found;

	assert(i < s->count);
	*result = c->result;
	if (c->refused)
		return record_refusal(conn, ctx, c->body, c->len, c->parsed, result);
	/* Checked outside this transaction: the partner may have been made inactive since. */
	if (strcmp(s->active_partner, c->partner.id)) {
		rc = exchange_partner_load(conn, c->partner.id, &now);
		if (rc && rc != CV_ENOTFOUND)
			return rc;
		if (rc || !now.active) {
			deny(result, EXCHANGE_INBOX_UNKNOWN_SENDER, "proof.verificationMethod",
			     "%.200s is an inactive partner of this node", c->partner.did);
			return record_refusal(conn, ctx, c->body, c->len, c->parsed, result);
		}
		memcpy(s->active_partner, c->partner.id, sizeof(s->active_partner));
	}
	rc = find_duplicate(conn, result, &found);
	if (rc || found)
		return rc;
	cv_error_clear(&err);
	rc = store_document(conn, ctx, &c->partner, c->document, c->method, c->body, c->len,
			    c->handler, result, &refused, &err);
	if (rc)
		return rc;
	if (!refused) {
		result->outcome = EXCHANGE_INBOX_ACCEPTED;
		return CV_OK;
	}
	deny(result, EXCHANGE_INBOX_REJECTED, err.field, "%s",
	     err.message[0] ? err.message : "the document was refused");
	return record_refusal(conn, ctx, c->body, c->len, c->parsed, result);
}

int exchange_inbox_receive(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			   const char *body, size_t len, struct exchange_inbox_result *result)
{
	struct exchange_inbox_submission *s = submission_new(1);
	struct cv_error err;
	int rc = CV_OK;

	memset(result, 0, sizeof(*result));
	if (!s)
		return CV_ENOMEM;
	/* One document, whatever its members: a batch is for exchange_inbox_check. */
	s->docs[0].body = body;
	s->docs[0].len = len;
	cv_clock_format_rfc3339_ms(ctx->now_ms, s->docs[0].result.received_at,
				   sizeof(s->docs[0].result.received_at));
	cv_error_clear(&err);
	if (exchange_jcs_parse(body, len, "body", &s->docs[0].document, &err)) {
		s->docs[0].refused = 1;
		deny(&s->docs[0].result, EXCHANGE_INBOX_MALFORMED, NULL,
		     "the body is not a JSON document: %s", err.message);
	} else {
		s->docs[0].parsed = 1;
		rc = check_document(conn, ctx, &s->docs[0]);
	}
	if (!rc)
		rc = exchange_inbox_settle(conn, ctx, s, 0, result);
	exchange_inbox_submission_free(s);
	return rc;
}
