-- 018_exchange: the cross-border exchange between nodes — the partner
-- registry and its agreements.

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
