-- 022_certificates_of_origin: electronic certificates of origin
-- (docs/EXCHANGE.md). An issuing authority of this country (an agency
-- holding the "origin" authority, e.g. the chamber of commerce) issues
-- them as signed credentials; each goes to the node of the importing
-- country when an agreement on certificates of origin is in force. A
-- node keeps the certificates partners send it, and the partners' status
-- lists as last fetched, to check an import declaration's claim to
-- preference: signature, issuer, status and items.

-- What the declaration's item claims preference under (a number; before this
-- migration, items kept only the arrangement).
ALTER TABLE declaration_items ADD COLUMN certificate_of_origin TEXT NOT NULL DEFAULT '';

CREATE TABLE origin_certificates (
    id                TEXT PRIMARY KEY,   -- issued: the issued credential's id; received: the inbox row
    direction         TEXT NOT NULL CHECK (direction IN ('issued', 'received')),
    number            TEXT NOT NULL,
    exporting_country TEXT NOT NULL,      -- the issuing country
    importing_country TEXT NOT NULL,
    arrangement       TEXT NOT NULL,
    exporter_id       TEXT NOT NULL,
    exporter_name     TEXT NOT NULL DEFAULT '',
    importer_id       TEXT NOT NULL,
    importer_name     TEXT NOT NULL DEFAULT '',
    issued_on         TEXT NOT NULL,
    valid_until       TEXT,               -- RFC 3339, NULL: none
    agency_code       TEXT REFERENCES agencies(code),           -- issued: the issuing authority
    issued_by         TEXT NOT NULL DEFAULT '',                  -- issued: the officer's user name
    partner_id        TEXT REFERENCES exchange_partners(id),     -- received: the sender; issued: the recipient
    message_id        TEXT,               -- issued: the outbox row that carries it
    document          TEXT NOT NULL,      -- the signed credential
    created_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX origin_certificates_number
    ON origin_certificates(direction, exporting_country, number);
CREATE INDEX origin_certificates_created ON origin_certificates(direction, created_at, id);

-- The status lists partners publish for the credentials they issued, as last
-- fetched from the partner's node (verified: signed by the partner, its id
-- the URL). A received certificate names its list; the worker fetches it.
CREATE TABLE partner_status_lists (
    url          TEXT PRIMARY KEY,        -- statusListCredential, as the partner names it
    partner_id   TEXT NOT NULL REFERENCES exchange_partners(id),
    credential   TEXT,                    -- the signed list credential; NULL until fetched
    fetched_at   TEXT,                    -- when credential was fetched
    attempted_at TEXT,                    -- the last attempt, successful or not
    error        TEXT NOT NULL DEFAULT '' -- why the last attempt failed
);
