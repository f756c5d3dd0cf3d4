-- 006_compliance: the compliance event ledger and the trader compliance
-- scoresheet ("catch the trader doing right").

CREATE TABLE compliance_events (
    id          TEXT PRIMARY KEY,
    operator_id TEXT NOT NULL REFERENCES operators(id),
    kind        TEXT NOT NULL CHECK (kind IN ('declaration_lodged', 'declaration_amended',
                    'examination', 'infringement', 'late_payment', 'pga_finding',
                    'audit_finding', 'voluntary_disclosure')),
    -- examination: clean, minor, major or seizure; infringement and findings:
    -- minor, major or critical; empty otherwise.
    outcome     TEXT NOT NULL DEFAULT '',
    days_late   INTEGER NOT NULL DEFAULT 0,    -- late_payment only
    occurred_on TEXT NOT NULL,                 -- date of the event
    day         BIGINT NOT NULL,               -- occurred_on as days since 1970-01-01
    source      TEXT NOT NULL,                 -- api, import, single_window, risk, ...
    reference   TEXT NOT NULL DEFAULT '',      -- declaration number, audit id, ...
    notes       TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
-- The scoresheet reads an operator's events of the window in one range scan
-- of this index alone (it covers every column the score needs).
CREATE INDEX compliance_events_score ON compliance_events(operator_id, day, kind, outcome, days_late);

-- Indicators of the score and their weights (they sum to 100).
CREATE TABLE score_indicators (
    key         TEXT PRIMARY KEY,
    weight      DOUBLE PRECISION NOT NULL,
    tolerance   DOUBLE PRECISION NOT NULL,     -- per 100 declarations, where the indicator uses one
    position    INTEGER NOT NULL,
    description TEXT NOT NULL
);
INSERT INTO score_indicators (key, weight, tolerance, position, description) VALUES
  ('examination_quality', 35, 0, 1, 'quality of examination results: clean 1, minor 0.6, major 0.2, seizure 0 (decay-weighted mean; 1 without examinations)'),
  ('declaration_accuracy', 15, 0, 2, 'share of declarations not amended after lodgement'),
  ('infringements', 30, 10, 3, 'infringement points (minor 1, major 3, critical 10; a voluntary disclosure offsets 2) per 100 declarations, against a tolerance of 10'),
  ('payment_punctuality', 10, 30, 4, 'days of late payment per 100 declarations, against a tolerance of 30'),
  ('agency_findings', 10, 5, 5, 'PGA and audit finding points (minor 1, major 3, critical 10) per 100 declarations, against a tolerance of 5');

INSERT INTO aeo_policy (key, value, description) VALUES
  ('score_window_months', '36', 'compliance events older than this are not scored'),
  ('score_half_life_days', '365', 'an event this old counts half as much as one of today'),
  ('grade_aaa', '95', 'lowest score of grade AAA'),
  ('grade_aa', '90', 'lowest score of grade AA'),
  ('grade_a', '80', 'lowest score of grade A, the eligibility threshold for AEO'),
  ('candidate_min_declarations', '20', 'declarations within the window an operator needs to be listed as an AEO candidate');

CREATE TABLE scoresheets (
    operator_id  TEXT PRIMARY KEY REFERENCES operators(id),
    score        DOUBLE PRECISION NOT NULL,
    grade        TEXT NOT NULL,                -- AAA, AA, A or none
    declarations BIGINT NOT NULL,              -- declarations lodged within the window
    events       BIGINT NOT NULL,              -- events within the window
    indicators   TEXT NOT NULL,                -- JSON: per indicator value, weight, contribution
    computed_on  TEXT NOT NULL,                -- the date the score is for
    computed_at  TEXT NOT NULL
);
CREATE INDEX scoresheets_score ON scoresheets(score);

-- One score per operator and day, for the history shown with the scoresheet.
CREATE TABLE scoresheet_history (
    operator_id TEXT NOT NULL REFERENCES operators(id),
    computed_on TEXT NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    grade       TEXT NOT NULL,
    PRIMARY KEY (operator_id, computed_on)
);
