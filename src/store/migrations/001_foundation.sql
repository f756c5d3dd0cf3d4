-- 001_foundation: reference data, users and access, idempotency, audit log.
-- Portable SQL (SQLite and PostgreSQL): TEXT ids (UUIDv7), BIGINT counters,
-- timestamps as RFC 3339 UTC text, booleans as 0/1.

CREATE TABLE countries (
    code     TEXT PRIMARY KEY,          -- ISO 3166-1 alpha-2
    alpha3   TEXT NOT NULL,
    numeric  TEXT NOT NULL,
    name     TEXT NOT NULL,
    carec    INTEGER NOT NULL DEFAULT 0 -- member of CAREC
);

CREATE TABLE currencies (
    code     TEXT PRIMARY KEY,          -- ISO 4217 alpha-3
    numeric  TEXT NOT NULL,
    name     TEXT NOT NULL
);

CREATE TABLE hs_sections (
    section  TEXT PRIMARY KEY,          -- Roman numeral I..XXI
    name     TEXT NOT NULL
);

CREATE TABLE hs_codes (
    code        TEXT PRIMARY KEY,       -- 2, 4 or 6 digits
    section     TEXT NOT NULL REFERENCES hs_sections(section),
    description TEXT NOT NULL,
    parent      TEXT,                   -- NULL for chapters
    level       INTEGER NOT NULL,       -- 2 chapter, 4 heading, 6 subheading
    edition     TEXT NOT NULL
);
CREATE INDEX hs_codes_parent ON hs_codes(parent);

-- Partner government agencies (ministries) whose officers use the node.
CREATE TABLE agencies (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Economic operators; the AEO programme extends this table.
CREATE TABLE operators (
    id         TEXT PRIMARY KEY,
    tin        TEXT NOT NULL UNIQUE,    -- trader identification number
    name       TEXT NOT NULL,
    country    TEXT NOT NULL REFERENCES countries(code),
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,        -- argon2id, libsodium string format
    role          TEXT NOT NULL CHECK (role IN ('trader', 'aeo_officer', 'risk_analyst',
                      'border_officer', 'pga_officer', 'partner', 'admin', 'auditor')),
    operator_id   TEXT REFERENCES operators(id),
    agency_code   TEXT REFERENCES agencies(code),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((role = 'trader') = (operator_id IS NOT NULL)),
    CHECK ((role = 'pga_officer') = (agency_code IS NOT NULL))
);

-- Browser sessions. Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Bearer tokens for systems. Only the SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Failed logins per subject ("user:NAME" or "addr:IP") within a window.
CREATE TABLE login_failures (
    subject     TEXT PRIMARY KEY,
    failures    BIGINT NOT NULL,
    first_ms    BIGINT NOT NULL,
    last_ms     BIGINT NOT NULL
);

-- Stored responses of writes sent with an Idempotency-Key.
CREATE TABLE idempotency_keys (
    principal    TEXT NOT NULL,         -- user id, or "anonymous:ADDRESS"
    key          TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    request_hash TEXT NOT NULL,         -- SHA-256 of the body
    status       INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    body         TEXT NOT NULL,
    location     TEXT,                  -- the Location header of a 201, if any
    created_at   TEXT NOT NULL,
    PRIMARY KEY (principal, key)
);

-- The audit log: append-only and hash-chained. hash = SHA-256 over prev_hash
-- and the row's canonical content (audit/audit.c says exactly how).
CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    detail      TEXT NOT NULL,          -- JSON
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);

-- The head of the chain: one row, updated with every append, so concurrent
-- writers serialize on it (a row lock in PostgreSQL, the write lock in SQLite)
-- and a truncated tail is detectable.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
