-- 009_validation: desk review and on-site validation of an application —
-- findings per criterion, visit plans and their reports.

CREATE TABLE aeo_findings (
    application_id TEXT NOT NULL REFERENCES aeo_applications(id),
    criterion      TEXT NOT NULL CHECK (criterion IN ('compliance', 'records', 'solvency',
                       'competence', 'security')),
    result         TEXT NOT NULL CHECK (result IN ('met', 'partly_met', 'not_met')),
    notes          TEXT NOT NULL DEFAULT '',
    evidence       TEXT NOT NULL DEFAULT '',
    officer        TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (application_id, criterion)
);

CREATE TABLE aeo_visits (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES aeo_applications(id),
    planned_on     TEXT NOT NULL,                     -- date
    sites          TEXT NOT NULL,                     -- JSON array of addresses
    officers       TEXT NOT NULL,                     -- JSON array of usernames
    status         TEXT NOT NULL CHECK (status IN ('planned', 'done', 'cancelled')),
    report         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX aeo_visits_application ON aeo_visits(application_id);
