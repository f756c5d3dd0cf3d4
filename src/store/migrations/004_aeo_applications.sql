-- 004_aeo_applications: AEO applications, their timeline, and the policy
-- values (legal clocks) that differ between countries.

-- Programme policy: one value per key, as text. Defaults from the EU Union
-- Customs Code (docs/DOMAIN.md §2); an administration changes them here.
CREATE TABLE aeo_policy (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    description TEXT NOT NULL
);
INSERT INTO aeo_policy (key, value, description) VALUES
  ('accept_days', '30', 'days after submission within which customs accepts an application or rejects it as incomplete'),
  ('decide_days', '120', 'days after acceptance within which customs decides'),
  ('extension_max_days', '60', 'longest single extension of the decision deadline, days'),
  ('revalidation_years', '3', 'years from authorization to the revalidation due date'),
  ('remedy_days', '30', 'default remedy period of a suspension, days'),
  ('reapplication_bar_years', '3', 'years after a revocation for cause during which no new application is accepted'),
  ('authorization_number_format', '{CC}AEO{T}{SERIAL10}', 'authorization number: {CC} country, {T} C/S/F, {SERIALn} serial with n digits'),
  ('due_soon_days', '7', 'a deadline this many days away or fewer counts as due soon');

CREATE TABLE aeo_applications (
    id                TEXT PRIMARY KEY,
    operator_id       TEXT NOT NULL REFERENCES operators(id),
    type              TEXT NOT NULL CHECK (type IN ('AEOC', 'AEOS', 'AEOF')),
    state             TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted',
                          'rejected_incomplete', 'under_review', 'validation_planned',
                          'validated', 'authorized', 'refused', 'withdrawn')),
    consent_mra       INTEGER NOT NULL DEFAULT 0,  -- share AEO data with MRA partners
    submitted_at      TEXT,
    accept_due        TEXT,                        -- date: submitted + accept_days
    accepted_at       TEXT,
    decision_due      TEXT,                        -- date: accepted + decide_days (+ extension)
    extension_days    INTEGER NOT NULL DEFAULT 0,
    extension_reason  TEXT,
    decided_at        TEXT,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX aeo_applications_operator ON aeo_applications(operator_id);
CREATE INDEX aeo_applications_state ON aeo_applications(state);

-- Every transition, as the applicant's and the officer's timeline.
CREATE TABLE aeo_application_events (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES aeo_applications(id),
    action         TEXT NOT NULL,
    from_state     TEXT,
    to_state       TEXT NOT NULL,
    actor          TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    at             TEXT NOT NULL
);
CREATE INDEX aeo_application_events_application ON aeo_application_events(application_id, at);

-- Authorizations granted; numbered per the national format.
CREATE TABLE aeo_authorizations (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    operator_id       TEXT NOT NULL REFERENCES operators(id),
    application_id    TEXT NOT NULL UNIQUE REFERENCES aeo_applications(id),
    type              TEXT NOT NULL CHECK (type IN ('AEOC', 'AEOS', 'AEOF')),
    status            TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked', 'expired')),
    consent_mra       INTEGER NOT NULL DEFAULT 0,
    valid_from        TEXT NOT NULL,               -- date
    revalidation_due  TEXT NOT NULL,               -- date
    status_changed_at TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX aeo_authorizations_operator ON aeo_authorizations(operator_id);

-- Serial numbers per authorization type, for the national number format.
CREATE TABLE aeo_serials (
    type  TEXT PRIMARY KEY,
    last  BIGINT NOT NULL
);
INSERT INTO aeo_serials (type, last) VALUES ('AEOC', 0), ('AEOS', 0), ('AEOF', 0);
