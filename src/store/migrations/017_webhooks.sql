-- 017_webhooks: status notifications pushed to each trader's system. A
-- notification and its delivery row are written in the same transaction
-- (an outbox): a delivery is retried with growing delays until the
-- receiver acknowledges it with a 2xx, so nothing is lost while the
-- receiver is down; the notification's sequence number is the event id
-- receivers use to drop a duplicate.
CREATE TABLE webhooks (
    operator_id TEXT PRIMARY KEY REFERENCES operators(id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,                     -- hex; signs each payload (HMAC-SHA256)
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    seq             BIGINT PRIMARY KEY REFERENCES notifications(seq),
    operator_id     TEXT NOT NULL REFERENCES operators(id),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    delivered_at    TEXT,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(delivered_at, next_attempt_at);
