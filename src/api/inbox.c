/*
 * inbox.c — POST /api/v1/exchange/inbox, where partner nodes deliver signed
 * documents. The route is public: the signature on the document, checked
 * against the partner registry, is what authenticates the sender
 * (exchange/inbox.h). A refusal is committed with its audit row and
 * answered with a problem document whose "reason" the sender can act on.
 */
#include "api/api.h"

#include "exchange/inbox.h"
#include "exchange/node.h"

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
static int refused(struct http_response *resp, const struct exchange_inbox_result *result)
{
	int status = refusal_status(result);
	const char *reason = exchange_inbox_outcome_name(result->outcome);
	json_t *problem = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type", "about:blank",
				    "title", api_status_title(status), "status", status, "detail",
				    result->detail, "reason", reason, "refusal", result->id);
	char *text;
	int rc;

	if (problem && result->field[0])
		json_object_set_new(problem, "errors",
				    json_pack("[{s:s, s:s}]", "field", result->field, "message",
					      result->detail));
	text = problem ? json_dumps(problem, JSON_COMPACT) : NULL;
	json_decref(problem);
	if (!text)
		return api_error(resp, CV_ENOMEM, NULL);
	rc = http_response_set(resp, status, "application/problem+json", text, strlen(text));
	free(text);
	return rc;
}

int api_exchange_inbox(struct api_call *call, struct http_response *resp)
{
	struct exchange_inbox_context ctx = {call->app->node ? call->app->node->did : NULL,
					     call->req->address, exchange_inbox_handlers,
					     cv_clock_now_ms()};
	struct exchange_inbox_result result;
	int accepted, rc;

	if (!is_json_type(http_header(call->req, "Content-Type")))
		return api_problem(resp, 415,
				   "send the signed document as JSON with Content-Type: "
				   "application/json");
	rc = exchange_inbox_receive(call->conn, &ctx, call->req->body, call->req->body_len, &result);
	if (rc)
		return api_error(resp, rc, NULL);
	accepted = result.outcome == EXCHANGE_INBOX_ACCEPTED ||
		   result.outcome == EXCHANGE_INBOX_DUPLICATE;
	call->entity_type = accepted ? "exchange_message" : "exchange_refusal";
	call->entity_id = cv_arena_strdup(call->req->arena, result.id);
	call->audit_detail = json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "outcome",
				       exchange_inbox_outcome_name(result.outcome), "partner_id",
				       result.partner_id[0] ? result.partner_id : NULL,
				       "document_id",
				       result.document_id[0] ? result.document_id : NULL, "kind",
				       result.kind[0] ? result.kind : NULL, "address",
				       call->req->address);
	if (!accepted) {
		/* The refusal's row is the record the issue asks for: commit it. */
		call->commit_on_error = 1;
		return refused(resp, &result);
	}
	return api_json(resp, 200,
			json_pack("{s:b, s:s, s:s, s:s, s:b}", "acknowledged", 1, "id",
				  result.document_id, "message", result.id, "received_at",
				  result.received_at, "duplicate",
				  result.outcome == EXCHANGE_INBOX_DUPLICATE));
}
