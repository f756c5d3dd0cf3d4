-- 005_safe: the administration's self-assessment against the WCO SAFE
-- Framework of Standards (2021). The standards come from
-- data/safe/standards.json (loaded by caravan init); the assessment columns
-- are the administration's own and survive reloads.
CREATE TABLE safe_standards (
    id             TEXT PRIMARY KEY,          -- "P3.S4": pillar 3, standard 4
    pillar         INTEGER NOT NULL,
    pillar_name    TEXT NOT NULL,
    number         INTEGER NOT NULL,
    title          TEXT NOT NULL,
    complied       TEXT NOT NULL DEFAULT 'unassessed'
                   CHECK (complied IN ('yes', 'partly', 'no', 'unassessed')),
    legal_basis    TEXT NOT NULL DEFAULT '',
    evidence       TEXT NOT NULL DEFAULT '',
    notes          TEXT NOT NULL DEFAULT '',
    recommendation TEXT NOT NULL DEFAULT '',
    updated_by     TEXT NOT NULL DEFAULT '',
    updated_at     TEXT NOT NULL DEFAULT ''
);

-- Recommendations that concern the programme as a whole, in order.
CREATE TABLE safe_recommendations (
    position INTEGER PRIMARY KEY,
    text     TEXT NOT NULL
);
