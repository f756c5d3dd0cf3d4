-- 019_credentials: the credentials this node issued (AEO status credentials,
-- advance cargo data, certificates of origin) and the W3C status lists that
-- publish their revocation and suspension (docs/EXCHANGE.md).
--
-- A status list is not stored as bits: the bits are derived from the
-- credentials' status when the list is served (the spec's generate
-- algorithm), so a status change is one UPDATE and the list can never
-- disagree with it. An index is handed out once, in order, within a list
-- and never reused; a full list is followed by a new one.

CREATE TABLE status_lists (
    id         TEXT PRIMARY KEY,                    -- UUIDv7: /api/v1/status-lists/{id}
    purpose    TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    size       BIGINT NOT NULL,                     -- entries (bits), at least 131072
    allocated  BIGINT NOT NULL DEFAULT 0,           -- indexes handed out: the next is this
    created_at TEXT NOT NULL
);
CREATE INDEX status_lists_purpose ON status_lists(purpose, allocated);

CREATE TABLE issued_credentials (
    id         TEXT PRIMARY KEY,                    -- UUIDv7; the document's id is urn:uuid:{id}
    kind       TEXT NOT NULL,                       -- aeo_status, advance_cargo, certificate_of_origin
    subject    TEXT NOT NULL,                       -- authorization id, declaration id, certificate number
    status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'revoked')),
    document   TEXT NOT NULL DEFAULT '',            -- the signed JSON, once signed
    issued_at  TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX issued_credentials_subject ON issued_credentials(kind, subject, issued_at);

-- One row per credentialStatus entry: where the credential's bit is.
CREATE TABLE issued_credential_status (
    credential_id TEXT NOT NULL REFERENCES issued_credentials(id),
    list_id       TEXT NOT NULL REFERENCES status_lists(id),
    list_index    BIGINT NOT NULL,
    purpose       TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    PRIMARY KEY (list_id, list_index),
    UNIQUE (credential_id, purpose)
);
