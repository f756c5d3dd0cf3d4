-- 010_audits: monitoring of authorized operators and post-authorization
-- audits, periodic or triggered (a score drop, a revalidation coming due).
CREATE TABLE aeo_audits (
    id               TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES aeo_authorizations(id),
    kind             TEXT NOT NULL CHECK (kind IN ('periodic', 'triggered', 'revalidation')),
    reason           TEXT NOT NULL,          -- why it is scheduled ("score fell to 72.4")
    planned_on       TEXT NOT NULL,          -- date
    status           TEXT NOT NULL CHECK (status IN ('planned', 'done', 'cancelled')),
    findings         TEXT NOT NULL DEFAULT '',
    outcome          TEXT CHECK (outcome IN ('maintained', 'suspended', 'revoked')),
    scheduled_by     TEXT NOT NULL,
    closed_by        TEXT,
    created_at       TEXT NOT NULL,
    closed_at        TEXT
);
CREATE INDEX aeo_audits_authorization ON aeo_audits(authorization_id, status);

INSERT INTO aeo_policy (key, value, description) VALUES
  ('monitoring_revalidation_days', '90', 'an authorization whose revalidation is due within this many days needs an audit'),
  ('monitoring_audit_months', '12', 'an authorization without a completed audit for this long needs one');
