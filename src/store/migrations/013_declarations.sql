-- 013_declarations: goods declarations as the selectivity engine and the
-- single window share them, the engine's decision on each (lane and
-- explanation), examinations with their results, consignment memory, and
-- learned models.
--
-- The declaration header holds the fields profiles test; the whole document
-- as lodged is kept in `document` (JSON). Items hold what is per item.

CREATE TABLE declarations (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,        -- national number, or the source's id for imports
    direction   TEXT NOT NULL CHECK (direction IN ('import', 'export', 'transit')),
    procedure   TEXT NOT NULL DEFAULT '',
    office      TEXT NOT NULL,
    mode        TEXT NOT NULL DEFAULT '',     -- UNECE Rec 19 code
    declarant   TEXT NOT NULL DEFAULT '',     -- identification numbers of the parties
    importer    TEXT NOT NULL DEFAULT '',
    exporter    TEXT NOT NULL DEFAULT '',
    seller      TEXT NOT NULL DEFAULT '',
    courier     TEXT NOT NULL DEFAULT '',
    departure   TEXT NOT NULL DEFAULT '',
    destination TEXT NOT NULL DEFAULT '',
    pre_arrival INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL,
    source      TEXT NOT NULL,                -- api, import, demo
    document    TEXT NOT NULL,                -- JSON as lodged, with attributes not in columns
    lodged_on   TEXT NOT NULL,                -- date: profiles' validity, projections
    lodged_at   TEXT NOT NULL
);
CREATE INDEX declarations_lodged ON declarations(lodged_on);
CREATE INDEX declarations_importer ON declarations(importer);

CREATE TABLE declaration_items (
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    item           INTEGER NOT NULL,          -- 1, 2, ...
    hs             TEXT NOT NULL,
    origin         TEXT NOT NULL DEFAULT '',
    value          DOUBLE PRECISION NOT NULL DEFAULT 0, -- in the node currency
    net_mass       DOUBLE PRECISION NOT NULL DEFAULT 0, -- kg
    tax_rate       DOUBLE PRECISION NOT NULL DEFAULT 0, -- percent
    PRIMARY KEY (declaration_id, item)
);

-- Documents (LPCO, certificates) a declaration references, by type.
CREATE TABLE declaration_documents (
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    type           TEXT NOT NULL,
    reference      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (declaration_id, type, reference)
);

-- The engine's decision: one per assessment (a re-assessment after an
-- amendment adds one; the newest counts).
CREATE TABLE risk_decisions (
    id              TEXT PRIMARY KEY,
    declaration_id  TEXT NOT NULL REFERENCES declarations(id),
    lane            TEXT NOT NULL CHECK (lane IN ('green', 'blue', 'yellow', 'red')),
    score           DOUBLE PRECISION NOT NULL,     -- the highest item score
    random_selected INTEGER NOT NULL,
    aeo             TEXT NOT NULL,                 -- none, AEOC, AEOS, AEOF, partner
    profile_set_id  TEXT REFERENCES risk_profile_sets(id),
    model_id        TEXT,
    explanation     TEXT NOT NULL,                 -- JSON (docs/RISK.md)
    decided_at      TEXT NOT NULL,
    decided_on      TEXT NOT NULL,
    superseded      INTEGER NOT NULL DEFAULT 0      -- 1 once a newer decision exists
);
CREATE INDEX risk_decisions_declaration ON risk_decisions(declaration_id, decided_at);
CREATE INDEX risk_decisions_decided ON risk_decisions(decided_on);

-- Which profiles a decision hit, for the per-profile statistics.
CREATE TABLE risk_decision_hits (
    decision_id TEXT NOT NULL REFERENCES risk_decisions(id),
    profile     TEXT NOT NULL,
    items       INTEGER NOT NULL,                   -- how many items it hit
    PRIMARY KEY (decision_id, profile)
);
CREATE INDEX risk_decision_hits_profile ON risk_decision_hits(profile);

-- Examinations: documentary (yellow) or physical (red), with the combined
-- result of every agency that took part (the worst of theirs).
CREATE TABLE examinations (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    kind           TEXT NOT NULL CHECK (kind IN ('documentary', 'physical')),
    reason         TEXT NOT NULL CHECK (reason IN ('lane', 'random', 'officer', 'agency', 'import')),
    result         TEXT CHECK (result IN ('clean', 'minor', 'major', 'seizure')),
    notes          TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT NOT NULL,
    examined_on    TEXT NOT NULL,                   -- date
    recorded_at    TEXT NOT NULL
);
CREATE INDEX examinations_declaration ON examinations(declaration_id);
CREATE INDEX examinations_examined ON examinations(examined_on);

-- Consignment memory: every examination result under the key (importer,
-- seller or exporter, HS6, origin). An item whose last K results within D
-- days are all clean gets the office's memory reduction.
CREATE TABLE risk_memory (
    key            TEXT NOT NULL,                   -- importer|partner|hs6|origin
    examined_on    TEXT NOT NULL,
    clean          INTEGER NOT NULL,
    examination_id TEXT NOT NULL REFERENCES examinations(id)
);
CREATE INDEX risk_memory_key ON risk_memory(key, examined_on);

-- Learned models (caravan risk train): versions, the newest active.
CREATE TABLE risk_models (
    id         TEXT PRIMARY KEY,
    version    BIGINT NOT NULL UNIQUE,
    status     TEXT NOT NULL CHECK (status IN ('active', 'retired')),
    summary    TEXT NOT NULL,                       -- JSON: rows, positives, trees, parameters
    model      TEXT NOT NULL,                       -- the serialized model, base64
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Who retired a profile set version, and when (versions: who and when).
ALTER TABLE risk_profile_sets ADD COLUMN deactivated_by TEXT;
ALTER TABLE risk_profile_sets ADD COLUMN deactivated_at TEXT;

-- The learned score is a probability in percent: counted at full weight by
-- default, a 70 % risk of fraud reaches red on its own.
UPDATE risk_office_params SET model_weight = 1.0 WHERE office = '*' AND model_weight = 0.5;

-- How long consignment memory looks back, and the expected share of
-- declarations per lane that the statistics compare against.
ALTER TABLE risk_office_params ADD COLUMN memory_days INTEGER NOT NULL DEFAULT 180;
ALTER TABLE risk_office_params ADD COLUMN expected_blue DOUBLE PRECISION NOT NULL DEFAULT 0.05;
ALTER TABLE risk_office_params ADD COLUMN expected_yellow DOUBLE PRECISION NOT NULL DEFAULT 0.10;
ALTER TABLE risk_office_params ADD COLUMN expected_red DOUBLE PRECISION NOT NULL DEFAULT 0.08;
