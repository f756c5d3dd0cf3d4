-- 021_advance_cargo: advance cargo data received from partner
-- administrations (signed documents, docs/EXCHANGE.md): when a partner
-- releases an export destined here, its node sends the consignment ahead;
-- an import declaration references it (document type ADVANCE-CARGO, the
-- export declaration's number) and the selectivity engine compares them
-- (the profile field advance_match).
CREATE TABLE advance_cargo (
    id               TEXT PRIMARY KEY,      -- the signed document's id
    country          TEXT NOT NULL,         -- the partner that sent it (country of export)
    export_number    TEXT NOT NULL,         -- the export declaration's number there
    exporter         TEXT NOT NULL DEFAULT '',
    importer         TEXT NOT NULL DEFAULT '',
    mode             TEXT NOT NULL DEFAULT '',
    expected_arrival TEXT,
    containers       TEXT NOT NULL DEFAULT '',  -- ISO 6346 numbers, space-separated
    document         TEXT NOT NULL,         -- the document as received, signed
    received_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX advance_cargo_export ON advance_cargo(country, export_number);

CREATE TABLE advance_cargo_items (
    advance_cargo_id TEXT NOT NULL REFERENCES advance_cargo(id),
    item             INTEGER NOT NULL,
    hs               TEXT NOT NULL,
    origin           TEXT NOT NULL DEFAULT '',
    quantity         REAL,
    unit             TEXT,
    net_mass         REAL,
    PRIMARY KEY (advance_cargo_id, item)
);
