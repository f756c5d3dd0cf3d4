/*
 * notify.h — the consignment's timeline and what the trader is told.
 *
 * trade_event adds a step to a declaration's timeline (WCO Time Release
 * Study steps: lodged, accepted, risk_decided, arrived, ...).
 *
 * trade_notify tells a trader a declaration's status: a notification with
 * the next sequence number (the cursor of GET /api/v1/notifications and the
 * event id of webhooks) and, when the trader has a webhook, its delivery
 * row in the same transaction (trade/webhooks.h delivers it).
 */
#ifndef CV_TRADE_NOTIFY_H
#define CV_TRADE_NOTIFY_H

#include "store/db.h"

#include <jansson.h>

/* A step of the declaration's timeline; detail is taken (may be NULL). In a write transaction. */
int trade_event(struct store_conn *conn, const char *declaration_id, const char *kind,
		const char *at, const char *actor, json_t *detail);

/* detail is taken (may be NULL). operator_id NULL or "": nobody to tell. In a write transaction. */
int trade_notify(struct store_conn *conn, const char *operator_id, const char *declaration_id,
		 const char *status, const char *at, json_t *detail);

#endif
