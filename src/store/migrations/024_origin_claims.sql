-- 024_origin_claims: certificates of origin, after review.
--
-- A partner's status list is kept per partner: a URL one partner names
-- must not let it speak for another partner's list (the row's owner is
-- the partner whose certificates name it, and the list is fetched from
-- that partner and must be signed by it).
CREATE TABLE partner_status_lists_new (
    partner_id   TEXT NOT NULL REFERENCES exchange_partners(id),
    url          TEXT NOT NULL,           -- statusListCredential, as the partner names it
    credential   TEXT,                    -- the signed list credential; NULL until fetched
    fetched_at   TEXT,
    attempted_at TEXT,
    error        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (partner_id, url)
);
INSERT INTO partner_status_lists_new (partner_id, url, credential, fetched_at, attempted_at, error)
    SELECT partner_id, url, credential, fetched_at, attempted_at, error FROM partner_status_lists;
DROP TABLE partner_status_lists;
ALTER TABLE partner_status_lists_new RENAME TO partner_status_lists;

-- A revocation keeps its reason.
ALTER TABLE origin_certificates ADD COLUMN revoked_at TEXT;
ALTER TABLE origin_certificates ADD COLUMN revocation_reason TEXT NOT NULL DEFAULT '';

-- The verdict on an item's claim to preference, kept when the declaration
-- is released: the assessment of a released declaration no longer changes
-- with what happens to the certificate or the partner afterwards.
ALTER TABLE declaration_items ADD COLUMN preference_verdict TEXT;
-- What was claimed under a certificate, to draw its quantities down.
CREATE INDEX declaration_items_certificate ON declaration_items(certificate_of_origin)
    WHERE certificate_of_origin <> '';
