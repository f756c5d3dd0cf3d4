-- 015_joint_examination: one examination of a consignment with every
-- agency involved ("avoid multiple examinations by involved PGAs"): customs
-- when the lane is red, each agency whose requirement asks for an
-- inspection. Each party records its own result; the examination's result
-- is the worst of theirs once all have.

-- Examinations recorded whole (before this) are complete.
ALTER TABLE examinations ADD COLUMN status TEXT NOT NULL DEFAULT 'completed';

CREATE TABLE examination_parties (
    examination_id TEXT NOT NULL REFERENCES examinations(id),
    party          TEXT NOT NULL,                  -- 'customs' or an agency code
    grounds        TEXT NOT NULL,                  -- lane, random, or a requirement id
    result         TEXT CHECK (result IN ('clean', 'minor', 'major', 'seizure')),
    notes          TEXT NOT NULL DEFAULT '',
    recorded_by    TEXT,
    recorded_at    TEXT,
    PRIMARY KEY (examination_id, party)
);
CREATE INDEX examination_parties_pending ON examination_parties(party, result);
