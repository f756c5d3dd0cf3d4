/*
 * inbox.c — POST /api/v1/exchange/inbox, where partner nodes deliver signed
 * documents. The route is public: the signature on the document, checked
 * against the partner registry, is what authenticates the sender
 * (exchange/inbox.h). A refusal is committed with its audit row and
 * answered with a problem document whose "reason" the sender can act on.
 *
 * A batch ({"documents": [...]}, exchange/inbox.h) is answered 200 with one
 * receipt per document, in order: the acknowledgement a single document
 * gets, or {"acknowledged": false, "id", "problem": the problem document it
 * would have got}, or {"acknowledged": false, "id", "skipped": true} after
 * a refusal in an ordered batch. Each document has its audit row, as if it
 * had come alone, and the batch one more ("exchange_batch", with counts).
 *
 * The signatures are checked before the write transaction
 * (api_exchange_inbox_check, the route's check): a batch of 500 costs
 * ~75 ms of Ed25519 that would otherwise hold the node's writer.
 */
#include "api/api.h"

#include "audit/audit.h"
#include "base/mem.h"
#include "exchange/inbox.h"
#include "exchange/node.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* application/json, or a JSON-based type (application/vc+json, application/ld+json). */
static int is_json_type(const char *type)
{
	const char *end;

	if (!type || strncasecmp(type, "application/", 12) != 0)
		return 0;
	end = type + strcspn(type, "; ");
	return (end - type == 16 && !strncasecmp(type, "application/json", 16)) ||
	       (end - type > 17 && !strncasecmp(end - 5, "+json", 5));
}

static int refusal_status(const struct exchange_inbox_result *result)
{
	switch (result->outcome) {
	case EXCHANGE_INBOX_MALFORMED: return result->field[0] ? 422 : 400;
	case EXCHANGE_INBOX_UNKNOWN_SENDER:
	case EXCHANGE_INBOX_BAD_SIGNATURE: return 403;
	default: return 422;
	}
}

/* The problem document of a refusal, with its reason and the member at fault. */
static json_t *problem(const struct exchange_inbox_result *result, int status)
{
	json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "about:blank", "title",
			      api_status_title(status), "status", status, "detail", result->detail,
			      "reason", exchange_inbox_outcome_name(result->outcome), "refusal",
			      result->id);

	if (p && result->field[0])
		json_object_set_new(p, "errors",
				    json_pack("[{s:s, s:s}]", "field", result->field, "message",
					      result->detail));
	return p;
}

static int refused(struct http_response *resp, const struct exchange_inbox_result *result,
		   int status)
{
	json_t *p = problem(result, status);
	char *text = p ? json_dumps(p, JSON_COMPACT) : NULL;
	int rc;

	json_decref(p);
	if (!text)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = http_response_set(resp, status, "application/problem+json", text, strlen(text));
	free(text);
	return rc;
}

static int is_accepted(const struct exchange_inbox_result *result)
{
	return result->outcome == EXCHANGE_INBOX_ACCEPTED ||
	       result->outcome == EXCHANGE_INBOX_DUPLICATE;
}

/* The receipt a sender records a document as acknowledged by. */
static json_t *acknowledgement(const struct exchange_inbox_result *result)
{
	return json_pack("{s:b, s:s, s:s, s:s, s:b}", "acknowledged", 1, "id", result->document_id,
			 "message", result->id, "received_at", result->received_at, "duplicate",
			 result->outcome == EXCHANGE_INBOX_DUPLICATE);
}

/* What the audit row of a received document says. */
static json_t *audit_detail(const struct api_call *call, const struct exchange_inbox_result *result)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "outcome",
			 exchange_inbox_outcome_name(result->outcome), "partner_id",
			 result->partner_id[0] ? result->partner_id : NULL, "document_id",
			 result->document_id[0] ? result->document_id : NULL, "kind",
			 result->kind[0] ? result->kind : NULL, "address", call->req->address);
}

/* What the check leaves for the write: the submission and the context it was checked in. */
struct checked_inbox {
	struct exchange_inbox_context ctx;
	struct exchange_inbox_submission *submission;
};

static void checked_free(void *p)
{
	struct checked_inbox *checked = p;

	exchange_inbox_submission_free(checked->submission);
	cv_free(checked);
}

int api_exchange_inbox_check(struct api_call *call, struct http_response *resp)
{
	struct checked_inbox *checked;
	int rc;

	if (!is_json_type(http_header(call->req, "Content-Type")))
		return api_problem(resp, 415,
				   "send the signed document as JSON with Content-Type: "
				   "application/json"),
		       1;
	checked = cv_calloc(1, sizeof(*checked));
	if (!checked)
		return api_error(resp, CV_ENOMEM, NULL), 1;
	checked->ctx = (struct exchange_inbox_context){call->app->node ? call->app->node->did : NULL,
						       call->req->address,
						       exchange_inbox_handlers,
						       cv_clock_now_ms(),
						       call->req->client_certificate,
						       call->app->config->node_country};
	rc = exchange_inbox_check(call->conn, &checked->ctx, call->req->body, call->req->body_len,
				  &checked->submission);
	if (rc) {
		cv_free(checked);
		return api_error(resp, rc, NULL), 1;
	}
	call->prepared = checked;
	call->prepared_free = checked_free;
	return 0;
}

/* Settle one document (or a body refused as a whole), answered as it always was. */
static int receive_one(struct api_call *call, struct http_response *resp,
		       struct checked_inbox *checked)
{
	struct exchange_inbox_result result;
	int rc = exchange_inbox_settle(call->conn, &checked->ctx, checked->submission, 0, &result);

	if (rc)
		return api_error(resp, rc, NULL);
	call->entity_type = is_accepted(&result) ? "exchange_message" : "exchange_refusal";
	call->entity_id = cv_arena_strdup(call->req->arena, result.id);
	call->audit_detail = audit_detail(call, &result);
	if (!is_accepted(&result)) {
		/* The refusal's row is the record the issue asks for: commit it. */
		call->commit_on_error = 1;
		return refused(resp, &result,
			       exchange_inbox_submission_too_many(checked->submission)
				       ? 413
				       : refusal_status(&result));
	}
	return api_json(resp, 200, acknowledgement(&result));
}

/* Each document of a batch has its audit row, as if it had come alone. */
static int audit_document(struct api_call *call, const struct exchange_inbox_result *result)
{
	json_t *detail = audit_detail(call, result);
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct audit_event ev = {"anonymous", "exchange.receive",
				 is_accepted(result) ? "exchange_message" : "exchange_refusal",
				 result->id, text};
	int rc = text ? audit_append(call->conn, &ev, NULL, NULL) : CV_ENOMEM;

	free(text);
	json_decref(detail);
	return rc;
}

/* The receipt of a document of a batch. */
static json_t *receipt(const struct exchange_inbox_result *result)
{
	if (is_accepted(result))
		return acknowledgement(result);
	return json_pack("{s:b, s:s?, s:o}", "acknowledged", 0, "id",
			 result->document_id[0] ? result->document_id : NULL, "problem",
			 problem(result, refusal_status(result)));
}

/*
 * Settle a batch's documents in order, one receipt each; in an ordered
 * batch, the first refusal leaves the rest skipped. A failure of the node
 * (not a refusal) answers 5xx and undoes the whole batch.
 */
static int receive_batch(struct api_call *call, struct http_response *resp,
			 struct checked_inbox *checked)
{
	struct exchange_inbox_submission *s = checked->submission;
	size_t n = exchange_inbox_submission_count(s), accepted = 0, duplicates = 0, refusals = 0,
	       skipped = 0;
	int ordered = exchange_inbox_submission_ordered(s), rc = CV_OK;
	json_t *receipts = json_array();

	for (size_t i = 0; receipts && !rc && i < n; i++) {
		struct exchange_inbox_result result;

		if (ordered && refusals) {
			skipped++;
			rc = json_array_append_new(receipts,
						   json_pack("{s:b, s:s?, s:b}", "acknowledged", 0,
							     "id",
							     exchange_inbox_submission_document_id(s,
												   i),
							     "skipped", 1))
				     ? CV_ENOMEM
				     : CV_OK;
			continue;
		}
		rc = exchange_inbox_settle(call->conn, &checked->ctx, s, i, &result);
		if (!rc)
			rc = audit_document(call, &result);
		if (!rc && json_array_append_new(receipts, receipt(&result)))
			rc = CV_ENOMEM;
		if (result.outcome == EXCHANGE_INBOX_ACCEPTED)
			accepted++;
		else if (result.outcome == EXCHANGE_INBOX_DUPLICATE)
			duplicates++;
		else
			refusals++;
	}
	if (!receipts || rc) {
		json_decref(receipts);
		return api_error(resp, receipts ? rc : CV_ENOMEM, NULL);
	}
	call->entity_type = "exchange_batch";
	call->entity_id = "";
	call->audit_detail = json_pack("{s:I, s:I, s:I, s:I, s:I, s:b, s:s}", "documents",
				       (json_int_t)n, "accepted", (json_int_t)accepted,
				       "duplicates", (json_int_t)duplicates, "refused",
				       (json_int_t)refusals, "skipped", (json_int_t)skipped,
				       "ordered", ordered, "address", call->req->address);
	return api_json(resp, 200,
			json_pack("{s:o, s:I, s:I, s:I, s:I}", "receipts", receipts, "accepted",
				  (json_int_t)accepted, "duplicates", (json_int_t)duplicates,
				  "refused", (json_int_t)refusals, "skipped", (json_int_t)skipped));
}

int api_exchange_inbox(struct api_call *call, struct http_response *resp)
{
	struct checked_inbox *checked = call->prepared;

	assert(checked && "the route's check runs first");
	if (exchange_inbox_submission_is_batch(checked->submission))
		return receive_batch(call, resp, checked);
	return receive_one(call, resp, checked);
}
