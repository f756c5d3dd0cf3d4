-- 008_authorizations: life after authorization — suspension with a remedy
-- period, lifting, revocation, expiry — and the benefits catalogue.

ALTER TABLE aeo_authorizations ADD COLUMN revocation_ground TEXT NOT NULL DEFAULT '';
ALTER TABLE aeo_authorizations ADD COLUMN revoked_on TEXT;            -- effective date

-- Every status change, as the holder's and the officer's timeline.
CREATE TABLE aeo_authorization_events (
    id               TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES aeo_authorizations(id),
    action           TEXT NOT NULL,
    from_status      TEXT NOT NULL,
    to_status        TEXT NOT NULL,
    ground           TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    actor            TEXT NOT NULL,
    at               TEXT NOT NULL
);
CREATE INDEX aeo_authorization_events_authorization ON aeo_authorization_events(authorization_id, at);

-- Suspensions: the ground, the remedy period, the measures the holder states.
CREATE TABLE aeo_suspensions (
    id               TEXT PRIMARY KEY,
    authorization_id TEXT NOT NULL REFERENCES aeo_authorizations(id),
    ground           TEXT NOT NULL CHECK (ground IN ('conditions_not_met',
                         'revocation_grounds_under_investigation', 'holder_request')),
    reason           TEXT NOT NULL,
    remedy_until     TEXT NOT NULL,                   -- date
    measures         TEXT NOT NULL DEFAULT '',
    measures_at      TEXT,
    started_at       TEXT NOT NULL,
    ended_at         TEXT,
    outcome          TEXT CHECK (outcome IN ('lifted', 'revoked', 'expired'))
);
CREATE INDEX aeo_suspensions_open ON aeo_suspensions(authorization_id, ended_at);

-- Benefits by AEO type (WTO TFA Art. 7.7 names seven; docs/DOMAIN.md §2).
CREATE TABLE aeo_benefits (
    code        TEXT PRIMARY KEY,
    types       TEXT NOT NULL,                        -- "AEOC,AEOS,AEOF"
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    position    INTEGER NOT NULL
);
INSERT INTO aeo_benefits (code, types, name, description, position) VALUES
  ('reduced_inspections', 'AEOS,AEOF', 'Fewer physical and documentary controls', 'A lower risk score and a lower random examination rate in selectivity', 1),
  ('priority', 'AEOC,AEOS,AEOF', 'Priority treatment when selected', 'Examinations of AEO consignments go first', 2),
  ('deferred_payment', 'AEOC,AEOF', 'Deferred payment of duties and taxes', 'Duties are paid periodically instead of per declaration', 3),
  ('reduced_guarantee', 'AEOC,AEOF', 'Reduced comprehensive guarantee', 'A guarantee up to 70 % lower', 4),
  ('simplified_declarations', 'AEOC,AEOF', 'Simplified declarations and entry in the records', 'Fewer data and documents at release, supplementary declaration later', 5),
  ('mra_recognition', 'AEOS,AEOF', 'Recognition by Mutual Recognition Agreement partners', 'Partner administrations give the benefits their MRA names', 6);
