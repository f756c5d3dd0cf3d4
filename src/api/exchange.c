/*
 * exchange.c — the node in the cross-border exchange: its DID document
 * (GET /.well-known/did.json), from which anyone takes the keys that verify
 * what the node signs.
 */
#include "api/api.h"

#include "exchange/node.h"

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
