-- 018_exchange: the cross-border exchange between nodes — the partner
-- registry and its agreements, and the messages: the outbox of signed
-- documents for partners, the inbox of documents received from them, and
-- the record of submissions refused.

-- Partner administrations: who they are, where their node takes messages
-- (ENDPOINT/api/v1/exchange/inbox), and the DID whose keys sign what they
-- send. A partner is never deleted (messages refer to it): it is made
-- inactive, and an inactive partner's messages are refused.
CREATE TABLE exchange_partners (
    id          TEXT PRIMARY KEY,                 -- UUIDv7
    country     TEXT NOT NULL REFERENCES countries(code),
    name        TEXT NOT NULL,
    endpoint    TEXT NOT NULL,                    -- https://customs.uz, no trailing /
    did         TEXT NOT NULL UNIQUE,             -- did:web:customs.uz
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX exchange_partners_country ON exchange_partners(country);

-- The partner's public keys: verification method DID#key_id, Ed25519 in
-- Multikey form. Several while the partner rotates its keys.
CREATE TABLE exchange_partner_keys (
    partner_id  TEXT NOT NULL REFERENCES exchange_partners(id),
    key_id      TEXT NOT NULL,                    -- key-1 (the fragment)
    public_key  TEXT NOT NULL,                    -- z6Mk...
    PRIMARY KEY (partner_id, key_id)
);

-- What the two administrations agreed to exchange, each from a date (and
-- until one, when it ends): mutual recognition of AEOs, advance cargo data,
-- certificates of origin.
CREATE TABLE exchange_agreements (
    partner_id  TEXT NOT NULL REFERENCES exchange_partners(id),
    kind        TEXT NOT NULL CHECK (kind IN ('mra', 'advance_cargo', 'certificates_of_origin')),
    since       TEXT NOT NULL,                    -- date
    until       TEXT,                             -- date; NULL: open-ended
    PRIMARY KEY (partner_id, kind)
);

-- The AEO types an MRA recognises (AEOC, AEOS, AEOF), one row each, so
-- that "the MRA partners recognising AEOS" is one indexed query.
CREATE TABLE exchange_mra_types (
    partner_id  TEXT NOT NULL REFERENCES exchange_partners(id),
    aeo_type    TEXT NOT NULL CHECK (aeo_type IN ('AEOC', 'AEOS', 'AEOF')),
    PRIMARY KEY (partner_id, aeo_type)
);
CREATE INDEX exchange_mra_types_type ON exchange_mra_types(aeo_type, partner_id);

-- Documents for partners (a transactional outbox): each is signed and
-- written in the transaction of the change that caused it, then POSTed by
-- serve's delivery worker to ENDPOINT/api/v1/exchange/inbox, in seq order
-- per partner, retried with growing delays until the partner acknowledges
-- it; after exchange_fail_after seconds it is failed. pending: not yet
-- taken; delivered: the partner answered 2xx without a receipt naming the
-- document; acknowledged: with one; failed: given up.
CREATE TABLE exchange_outbox (
    id              TEXT PRIMARY KEY,                 -- UUIDv7
    seq             BIGINT NOT NULL UNIQUE,           -- the order of sending
    partner_id      TEXT NOT NULL REFERENCES exchange_partners(id),
    document_id     TEXT NOT NULL,                    -- the document's id (urn:uuid:...)
    kind            TEXT NOT NULL,                    -- a value of the document's type
    body            TEXT NOT NULL,                    -- the signed document, canonical JSON
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'acknowledged', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (partner_id, document_id)
);
CREATE INDEX exchange_outbox_due ON exchange_outbox(state, next_attempt_at);
CREATE INDEX exchange_outbox_partner ON exchange_outbox(partner_id, state, seq);

-- Documents received from partners, verified, each once: a document id is
-- unique per sender, so a replay is acknowledged and changes nothing.
-- handled: what the handler of its kind did ('' when no handler is
-- registered for the kind: the document is kept as received).
CREATE TABLE exchange_inbox (
    id                  TEXT PRIMARY KEY,             -- UUIDv7
    partner_id          TEXT NOT NULL REFERENCES exchange_partners(id),
    document_id         TEXT NOT NULL,
    kind                TEXT NOT NULL,
    body                TEXT NOT NULL,                -- the document as received
    verification_method TEXT NOT NULL,                -- the key that signed it
    verification        TEXT NOT NULL,                -- 'valid'
    handled             TEXT NOT NULL DEFAULT '',
    received_at         TEXT NOT NULL,
    UNIQUE (partner_id, document_id)
);
CREATE INDEX exchange_inbox_partner ON exchange_inbox(partner_id, received_at);

-- Submissions the inbox refused, with the reason (the sender got it as a
-- problem document): malformed, unknown_sender, bad_signature, expired,
-- wrong_audience, or rejected by the handler of its kind. The sender and
-- the document are recorded when they could be read; the body's first
-- 8 KiB when it was JSON.
CREATE TABLE exchange_refusals (
    id          TEXT PRIMARY KEY,                     -- UUIDv7
    received_at TEXT NOT NULL,
    address     TEXT NOT NULL,                        -- the client's IP address
    partner_id  TEXT REFERENCES exchange_partners(id),
    document_id TEXT,
    kind        TEXT,
    reason      TEXT NOT NULL CHECK (reason IN ('malformed', 'unknown_sender', 'bad_signature',
                                                'expired', 'wrong_audience', 'rejected')),
    detail      TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    body_size   BIGINT NOT NULL,
    body        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX exchange_refusals_received ON exchange_refusals(received_at);
