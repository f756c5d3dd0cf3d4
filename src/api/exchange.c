/*
 * exchange.c — the node in the cross-border exchange: its DID document
 * (GET /.well-known/did.json), from which anyone takes the keys that verify
 * what the node signs, and the partner registry under
 * /api/v1/exchange/partners (the administrator sets partners up; customs
 * officers read it), and the messages exchanged with partners
 * (/api/v1/exchange/messages). The inbox partners deliver to is inbox.c.
 */
#include "api/api.h"

#include "exchange/messages.h"
#include "exchange/node.h"
#include "exchange/partners.h"

#include <string.h>

#define PARTNERS_PAGE_DEFAULT 50
#define PARTNERS_PAGE_MAX 200
#define MESSAGES_PAGE_DEFAULT 50
#define MESSAGES_PAGE_MAX 500

int api_did_document(struct api_call *call, struct http_response *resp)
{
	json_t *document;
	int rc;

	if (!call->app->node)
		return api_problem(resp, 404,
				   "this node has no signing key yet: its operator runs caravan init");
	rc = exchange_node_did_document(call->app->node, &document);
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, document);
}

/* The registry's context: the node's country and DID, now. */
static void registry_context(const struct api_call *call, struct exchange_registry_context *ctx,
			     char did[EXCHANGE_DID_MAX])
{
	ctx->node_country = call->app->config->node_country;
	ctx->node_did = NULL;
	if (call->app->node)
		ctx->node_did = call->app->node->did;
	else if (exchange_node_did(call->app->config, did, EXCHANGE_DID_MAX, NULL) == CV_OK)
		ctx->node_did = did;
	ctx->now_ms = cv_clock_now_ms();
}

static int answer(struct api_call *call, struct http_response *resp, int rc, json_t *errors,
		  const struct cv_error *err, json_t *out, int status)
{
	static const char *const audited[] = {"country", "name", "did", "status", NULL};

	if (rc == CV_ENOTFOUND) {
		json_decref(errors);
		json_decref(out);
		return api_problem(resp, 404, "no partner with this id or DID");
	}
	return api_write_answer(call, resp, rc, errors, err, "the partner was not stored as sent",
				"exchange_partner", audited, out, status);
}

int api_exchange_partners_list(struct api_call *call, struct http_response *resp)
{
	static const char *const statuses[] = {"active", "inactive", NULL};
	json_t *errors = json_array(), *items;
	const char *after, *country = http_query(call->req, "country");
	int limit = api_paging(call, PARTNERS_PAGE_DEFAULT, PARTNERS_PAGE_MAX, &after, errors);
	const char *status = api_status_filter(call, statuses, errors);
	int rc;

	if (country && strlen(country) != 2)
		api_add_error(errors, "country", "must be an ISO 3166 alpha-2 code");
	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	rc = exchange_partners_list(call->conn, country, status, after, limit, &items);
	return rc ? api_error(resp, rc, NULL) : api_page(resp, items, limit);
}

int api_exchange_partners_create(struct api_call *call, struct http_response *resp)
{
	struct exchange_registry_context ctx;
	char did[EXCHANGE_DID_MAX];
	json_t *errors = json_array(), *out = NULL;
	struct cv_error err;
	int rc;

	registry_context(call, &ctx, did);
	cv_error_clear(&err);
	rc = exchange_partner_create(call->conn, &ctx, call->body, errors, &out, &err);
	if (rc == CV_OK)
		http_response_header(resp, "Location",
				     cv_arena_printf(call->req->arena, "/api/v1/exchange/partners/%s",
						     json_string_value(json_object_get(out, "id"))));
	return answer(call, resp, rc, errors, &err, out, 201);
}

int api_exchange_partners_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = exchange_partner_get(call->conn, http_param(call->req, "id"), &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no partner with this id or DID");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}

int api_exchange_partners_update(struct api_call *call, struct http_response *resp)
{
	struct exchange_registry_context ctx;
	char did[EXCHANGE_DID_MAX];
	json_t *errors = json_array(), *out = NULL;
	struct cv_error err;
	int rc;

	registry_context(call, &ctx, did);
	cv_error_clear(&err);
	rc = exchange_partner_update(call->conn, &ctx, http_param(call->req, "id"), call->body,
				     errors, &out, &err);
	return answer(call, resp, rc, errors, &err, out, 200);
}

int api_exchange_partners_deactivate(struct api_call *call, struct http_response *resp)
{
	struct exchange_registry_context ctx;
	char did[EXCHANGE_DID_MAX];
	json_t *out = NULL;
	int rc;

	registry_context(call, &ctx, did);
	rc = exchange_partner_deactivate(call->conn, &ctx, http_param(call->req, "id"), &out);
	return answer(call, resp, rc, json_array(), NULL, out, 200);
}

int api_exchange_messages_list(struct api_call *call, struct http_response *resp)
{
	static const char *const directions[] = {"out", "in", NULL};
	struct exchange_message_filter filter = {http_query(call->req, "direction"),
						 http_query(call->req, "state"),
						 http_query(call->req, "partner")};
	json_t *errors = json_array(), *items;
	const char *after;
	int limit = api_paging(call, MESSAGES_PAGE_DEFAULT, MESSAGES_PAGE_MAX, &after, errors);
	int rc, known = !filter.direction;

	for (const char *const *d = directions; filter.direction && *d; d++)
		known |= !strcmp(*d, filter.direction);
	if (!known)
		api_add_error(errors, "direction", "must be out or in");
	known = !filter.state;
	for (const char *const *s = exchange_message_states; filter.state && *s; s++)
		known |= !strcmp(*s, filter.state);
	if (!known)
		api_add_error(errors, "state",
			      "must be one of: pending delivered acknowledged failed (out), accepted "
			      "refused (in)");
	if (filter.partner_id && strlen(filter.partner_id) >= CV_UUID_STR)
		api_add_error(errors, "partner", "must be a partner's id");
	if (api_refuse_fields(resp, errors, "bad list parameters"))
		return 0;
	rc = exchange_messages_list(call->conn, &filter, after, limit, &items);
	return rc ? api_error(resp, rc, NULL) : api_page(resp, items, limit);
}

int api_exchange_messages_get(struct api_call *call, struct http_response *resp)
{
	json_t *out;
	int rc = exchange_message_get(call->conn, http_param(call->req, "id"), &out);

	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no message with this id");
	return rc ? api_error(resp, rc, NULL) : api_json(resp, 200, out);
}
