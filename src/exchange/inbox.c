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
 * The document's row and its handler's writes share a savepoint: a handler
 * that refuses the document takes both back, and what remains of the
 * transaction is the refusal's row, which the caller commits with its
 * audit row.
 *
 * Volume: a partner sends up to ~20,000 AEO credentials in an initial load
 * and tens of documents a minute after that; each costs one parse, one
 * registry read and one signature check (~50 µs).
 */
#include "exchange/inbox.h"

#include "base/mem.h"
#include "exchange/credential.h"
#include "exchange/did.h"
#include "exchange/jcs.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SAVEPOINT "exchange_inbox"
#define GENERIC_TYPE "VerifiableCredential"

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
 * Record a refusal: result says why, and a row in exchange_refusals keeps
 * it with the body's hash (and its first bytes when it was JSON, cut at a
 * character's start so that the text stays UTF-8).
 */
static int refuse(struct store_conn *conn, const struct exchange_inbox_context *ctx,
		  const char *body, size_t len, int parsed, struct exchange_inbox_result *result,
		  enum exchange_inbox_outcome outcome, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));
static int refuse(struct store_conn *conn, const struct exchange_inbox_context *ctx,
		  const char *body, size_t len, int parsed, struct exchange_inbox_result *result,
		  enum exchange_inbox_outcome outcome, const char *field, const char *fmt, ...)
{
	char sha256[CV_SHA256_HEX], *kept = NULL;
	size_t cut = len < EXCHANGE_REFUSED_BODY_KEPT ? len : EXCHANGE_REFUSED_BODY_KEPT;
	va_list ap;
	int rc;

	result->outcome = outcome;
	copy(result->field, sizeof(result->field), field);
	va_start(ap, fmt);
	vsnprintf(result->detail, sizeof(result->detail), fmt, ap);
	va_end(ap);
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
			 result->kind[0] ? result->kind : NULL, exchange_inbox_outcome_name(outcome),
			 result->detail, sha256, (int64_t)len, kept ? kept : "");
	cv_free(kept);
	return rc;
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

/* Verify the document's proof against the partner's registered keys. */
static int verify(struct store_conn *conn, const struct exchange_partner *partner,
		  const json_t *document, struct cv_error *err)
{
	json_t *did_document = NULL;
	const json_t *docs[1];
	struct exchange_did_documents set = {docs, 1, 0};
	struct exchange_resolver resolver = {exchange_did_documents_resolve, &set};
	int rc = exchange_partner_did_document(conn, partner, &did_document);

	if (rc)
		return cv_error_set(err, rc, NULL, "cannot read the partner's keys");
	docs[0] = did_document;
	rc = exchange_credential_verify_with(document, &resolver, err);
	json_decref(did_document);
	return rc;
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
	struct exchange_inbox_message message = {result->id,   partner,  result->document_id,
						 result->kind, document, ctx->now_ms};
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

int exchange_inbox_receive(struct store_conn *conn, const struct exchange_inbox_context *ctx,
			   const char *body, size_t len, struct exchange_inbox_result *result)
{
	const struct exchange_inbox_handler *handler;
	struct exchange_partner partner;
	json_t *document = NULL;
	const json_t *valid_until;
	const char *id, *method;
	char did[EXCHANGE_DID_MAX];
	struct cv_error err;
	int64_t until_ms;
	int rc, refused, found;

	memset(result, 0, sizeof(*result));
	cv_clock_format_rfc3339_ms(ctx->now_ms, result->received_at, sizeof(result->received_at));
	cv_error_clear(&err);
	if (exchange_jcs_parse(body, len, "body", &document, &err))
		return refuse(conn, ctx, body, len, 0, result, EXCHANGE_INBOX_MALFORMED, NULL,
			      "the body is not a JSON document: %s", err.message);
	id = json_string_value(json_object_get(document, "id"));
	if (!json_is_object(document)) {
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_MALFORMED, NULL,
			    "the body is not a JSON object");
		goto out;
	}
	if (!id || !*id || strlen(id) > EXCHANGE_DOCUMENT_ID_MAX) {
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_MALFORMED, "id",
			    "the document has no id (a string of 1 to %d characters, unique per "
			    "sender: urn:uuid:...)",
			    EXCHANGE_DOCUMENT_ID_MAX);
		goto out;
	}
	copy(result->document_id, sizeof(result->document_id), id);
	if (!document_kind(document, ctx->handlers, &handler, result->kind)) {
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_MALFORMED, "type",
			    "the document's type must be a type or a list of types (letters, "
			    "digits, . _ -, at most %d each)",
			    EXCHANGE_KIND_MAX);
		goto out;
	}
	method = json_string_value(
		json_object_get(json_object_get(document, "proof"), "verificationMethod"));
	if (!method || !method_did(method, did)) {
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_MALFORMED,
			    "proof.verificationMethod",
			    "the document has no proof with a verificationMethod DID#KEY: it must be "
			    "signed by the sender (eddsa-jcs-2022)");
		goto out;
	}
	rc = exchange_partner_load(conn, did, &partner);
	if (rc == CV_ENOTFOUND || (rc == CV_OK && !partner.active)) {
		if (rc == CV_OK)
			copy(result->partner_id, sizeof(result->partner_id), partner.id);
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_UNKNOWN_SENDER,
			    "proof.verificationMethod",
			    rc == CV_OK ? "%.200s is an inactive partner of this node"
					: "%.200s is not a partner of this node",
			    did);
		goto out;
	}
	if (rc)
		goto out;
	copy(result->partner_id, sizeof(result->partner_id), partner.id);
	rc = verify(conn, &partner, document, &err);
	if (rc) {
		enum exchange_inbox_outcome outcome = rc == CV_ENOTFOUND
							      ? EXCHANGE_INBOX_UNKNOWN_SENDER
						      : rc == CV_EAUTH ? EXCHANGE_INBOX_BAD_SIGNATURE
								       : EXCHANGE_INBOX_MALFORMED;

		if (rc != CV_ENOTFOUND && rc != CV_EAUTH && rc != CV_EINVAL && rc != CV_EUNSUPPORTED)
			goto out;
		rc = refuse(conn, ctx, body, len, 1, result, outcome, err.field, "%s", err.message);
		goto out;
	}
	valid_until = json_object_get(document, "validUntil");
	if (valid_until && (!json_is_string(valid_until) ||
			    cv_clock_parse_rfc3339(json_string_value(valid_until), &until_ms))) {
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_MALFORMED, "validUntil",
			    "validUntil is not an RFC 3339 date and time");
		goto out;
	}
	if (valid_until && until_ms < ctx->now_ms) {
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_EXPIRED, "validUntil",
			    "the document expired at %.40s", json_string_value(valid_until));
		goto out;
	}
	switch (addressed_to(json_object_get(document, "to"), ctx->node_did)) {
	case 1: break;
	case 0:
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_WRONG_AUDIENCE, "to",
			    "the document is addressed to another node than %.200s",
			    ctx->node_did ? ctx->node_did : "this one (which has no DID yet)");
		goto out;
	default:
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_MALFORMED, "to",
			    "to must be a DID or a list of DIDs");
		goto out;
	}
	rc = find_duplicate(conn, result, &found);
	if (rc || found)
		goto out;
	rc = store_document(conn, ctx, &partner, document, method, body, len, handler, result,
			    &refused, &err);
	if (!rc && refused)
		rc = refuse(conn, ctx, body, len, 1, result, EXCHANGE_INBOX_REJECTED, err.field,
			    "%s", err.message[0] ? err.message : "the document was refused");
	else if (!rc)
		result->outcome = EXCHANGE_INBOX_ACCEPTED;
out:
	json_decref(document);
	return rc;
}
