/*
 * status_lists.c — GET /api/v1/status-lists/{id}: the W3C status lists of
 * the credentials this node issued (exchange/issued.h), public, as any
 * verifier fetches the statusListCredential a credential names.
 *
 * The list is built from the credentials' status and signed on each
 * request, so a suspension is visible the moment it commits; partners are
 * told (ttl, Cache-Control) to fetch it again after a few minutes, and a
 * copy expires after a day (validUntil) so that a stale list is refused
 * rather than trusted. Nothing private is in it: 16 KB of bits.
 */
#include "api/api.h"

#include "base/arena.h"
#include "base/clock.h"
#include "exchange/issued.h"
#include "exchange/node.h"

#include <string.h>

/* How long a verifier may keep a list (validUntil), and when to fetch it again (ttl). */
#define STATUS_LIST_VALIDITY_MS (24LL * 60 * 60 * 1000)
#define STATUS_LIST_TTL_MS (5LL * 60 * 1000)

/* The node's key, verification method and DID, for what it publishes. */
static int node_signer(const struct api_call *call, struct exchange_signer *signer,
		       struct cv_error *err)
{
	const struct exchange_node *node = call->app->node;
	struct cv_buf method;

	memset(signer, 0, sizeof(*signer));
	if (!node)
		return cv_error_set(err, CV_EUNSUPPORTED, NULL,
				    "this node has no signing key, so it cannot publish status "
				    "lists: run caravan init (it makes the key file) and restart");
	cv_buf_init(&method);
	if (exchange_node_verification_method(node, &method)) {
		cv_buf_release(&method);
		return cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
	}
	signer->key = &node->signing;
	signer->verification_method = cv_arena_strdup(call->req->arena, cv_buf_str(&method));
	signer->issuer = node->did;
	cv_buf_release(&method);
	return signer->verification_method ? CV_OK
					   : cv_error_set(err, CV_ENOMEM, NULL, "out of memory");
}

int api_status_lists_get(struct api_call *call, struct http_response *resp)
{
	struct exchange_publication publication = {call->app->config->public_url, cv_clock_now_ms(),
						   STATUS_LIST_VALIDITY_MS, STATUS_LIST_TTL_MS};
	struct exchange_status_list list = {NULL, 0};
	struct exchange_signer signer;
	struct cv_error err;
	const char *id = http_param(call->req, "id");
	char purpose[16];
	json_t *signed_list = NULL;
	int rc;

	cv_error_clear(&err);
	/* Ids are UUIDs: anything else is not a list, without asking the database. */
	if (!id || !cv_uuid_valid(id))
		return api_problem(resp, 404, "no status list has this id");
	rc = exchange_status_list_load(call->conn, id, &list, purpose, &err);
	if (rc == CV_ENOTFOUND)
		return api_problem(resp, 404, "no status list has this id");
	if (rc)
		return api_error(resp, rc, &err);
	rc = node_signer(call, &signer, &err);
	if (rc == CV_OK)
		rc = exchange_status_list_publish(id, &list, purpose, &publication, &signer,
						  &signed_list, &err);
	exchange_status_list_release(&list);
	if (rc == CV_EUNSUPPORTED)
		return api_problem(resp, 503, err.message);
	if (rc)
		return api_error(resp, rc, &err);
	http_response_header(resp, "Cache-Control",
			     cv_arena_printf(call->req->arena, "public, max-age=%lld",
					     STATUS_LIST_TTL_MS / 1000));
	return api_json(resp, 200, signed_list);
}
