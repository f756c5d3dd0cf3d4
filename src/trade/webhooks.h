/*
 * webhooks.h — status notifications pushed to a trader's own system.
 *
 * A trader registers one URL for its operator and receives a secret once.
 * Each notification is POSTed as JSON:
 *
 *   {"event_id": 42, "declaration": "...", "number": "KZ-IM-2026-0000001",
 *    "status": "lane_assigned", "detail": {"lane": "green"},
 *    "created_at": "2026-11-28T10:00:00Z"}
 *
 * with headers X-Caravan-Event-Id (the notification's sequence number: a
 * receiver drops an event it has seen), X-Caravan-Timestamp and
 * X-Caravan-Signature: sha256=<hex HMAC-SHA256 under the secret of
 * "<timestamp>.<body>">. A 2xx answer acknowledges it; anything else (or no
 * answer in 10 s) is retried after 1, 2, 4, ... seconds, at most the
 * configured maximum, until it is acknowledged. Deliveries to one operator
 * go in sequence order: one that fails holds back the later ones.
 */
#ifndef CV_TRADE_WEBHOOKS_H
#define CV_TRADE_WEBHOOKS_H

#include "auth/sessions.h"
#include "base/err.h"
#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

/*
 * Register (or replace) the trader's webhook: url is http:// or https://.
 * *out gets {url, secret, created_at}; the secret is shown this once. In a
 * write transaction.
 */
int trade_webhook_set(struct store_conn *conn, const struct auth_principal *who, const char *url,
		      json_t **out, struct cv_error *err);
/* The trader's webhook without its secret, with its pending and failing deliveries. */
int trade_webhook_get(struct store_conn *conn, const struct auth_principal *who, json_t **out);
/* Remove it (its undelivered events stay available by pull). In a write transaction. */
int trade_webhook_delete(struct store_conn *conn, const struct auth_principal *who);

/*
 * One round of delivery: every due delivery (oldest first, at most 100),
 * each in its own short transaction. backoff_max caps the delay between
 * attempts (seconds). *delivered counts the acknowledged ones.
 */
int trade_webhooks_deliver(struct store_conn *conn, int backoff_max, size_t *delivered);

/* The signature header's value for body sent at timestamp under secret (hex), for receivers and tests. */
int trade_webhook_signature(const char *secret_hex, const char *timestamp, const char *body,
			    char out[80]);

#endif
