/*
 * messages.h — what was exchanged with partners, as officers and the
 * operator see it: the outbox's documents with their delivery state, the
 * inbox's documents, and the submissions refused, in one list
 * (GET /api/v1/exchange/messages) and in counts (`caravan exchange
 * status`).
 *
 * A message is {id, direction: out | in, state, partner_id,
 * partner_country, document_id, kind, ...}: an outgoing one is pending,
 * delivered, acknowledged or failed (with attempts, next_attempt_at,
 * last_error); an incoming one accepted, or refused (with reason and
 * detail).
 *
 * Read-only. Thread-safe as far as the store is.
 */
#ifndef CV_EXCHANGE_MESSAGES_H
#define CV_EXCHANGE_MESSAGES_H

#include "store/db.h"

#include <jansson.h>

/* The states a message can be in, for the list's filter and its 422. */
extern const char *const exchange_message_states[];

struct exchange_message_filter {
	const char *direction;  /* "out", "in" or NULL */
	const char *state;      /* one of exchange_message_states or NULL */
	const char *partner_id; /* or NULL */
};

/*
 * A page of messages, newest first, after the id after ("" from the
 * newest): *items, an array, without the documents.
 */
int exchange_messages_list(struct store_conn *conn, const struct exchange_message_filter *filter,
			   const char *after, int limit, json_t **items);

/* One message with its document ("document"; a refused one's "body" as far as kept). */
int exchange_message_get(struct store_conn *conn, const char *id, json_t **out);

/*
 * The exchange at a glance: {"out": {state: count}, "in": {"accepted": n,
 * "refused": n}, "failures": [the latest failed or retrying outgoing
 * messages with last_error], "refusals": [the latest refusals]}.
 */
int exchange_status(struct store_conn *conn, int latest, json_t **out);

#endif
