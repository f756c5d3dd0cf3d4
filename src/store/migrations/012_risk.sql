-- 012_risk: selectivity profile sets (versions: draft, active, retired),
-- watchlists, office parameters of the lane decision, and node secrets.

CREATE TABLE risk_profile_sets (
    id           TEXT PRIMARY KEY,
    version      BIGINT NOT NULL UNIQUE,
    source       TEXT NOT NULL,                  -- the profile language (docs/RISK.md)
    profiles     INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'active', 'retired')),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    activated_by TEXT,
    activated_at TEXT
);

CREATE TABLE risk_watchlists (
    name     TEXT NOT NULL,
    value    TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (name, value)
);

-- Lane decision parameters per customs office; office '*' is the default.
CREATE TABLE risk_office_params (
    office              TEXT PRIMARY KEY,
    blue_threshold      DOUBLE PRECISION NOT NULL,
    yellow_threshold    DOUBLE PRECISION NOT NULL,
    red_threshold       DOUBLE PRECISION NOT NULL,
    random_rate         DOUBLE PRECISION NOT NULL,
    random_rate_aeo     DOUBLE PRECISION NOT NULL,
    reduction_aeoc      DOUBLE PRECISION NOT NULL,
    reduction_aeos      DOUBLE PRECISION NOT NULL,
    reduction_aeof      DOUBLE PRECISION NOT NULL,
    reduction_partner   DOUBLE PRECISION NOT NULL,
    memory_reduction    DOUBLE PRECISION NOT NULL,
    memory_examinations INTEGER NOT NULL,
    model_weight        DOUBLE PRECISION NOT NULL
);
INSERT INTO risk_office_params VALUES ('*', 15, 40, 70, 0.02, 0.005, 10, 20, 25, 15, 15, 3, 0.5);

-- Secrets of the node (hex), made on first use: the random draw's key.
CREATE TABLE node_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
