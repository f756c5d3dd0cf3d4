-- 016_duties_release: duties and taxes, electronic payment, arrival,
-- release and exit.

-- The tariff: duty and VAT rates (percent of the customs value) by the
-- longest HS prefix that matches ('' is every code), from a date.
CREATE TABLE tariff_rates (
    hs_prefix  TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    duty_rate  DOUBLE PRECISION NOT NULL,
    vat_rate   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (hs_prefix, valid_from)
);

-- Preferential duty for goods originating in a country under an agreement,
-- when a certificate of origin is referenced.
CREATE TABLE preferential_rates (
    hs_prefix  TEXT NOT NULL,
    origin     TEXT NOT NULL,
    agreement  TEXT NOT NULL,
    duty_rate  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (hs_prefix, origin, agreement)
);

-- Electronic payments (and guarantees) of duties and taxes, in minor units
-- of the node's currency.
CREATE TABLE payments (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    reference      TEXT NOT NULL UNIQUE,           -- the bank's or the gateway's
    amount         BIGINT NOT NULL CHECK (amount > 0),
    method         TEXT NOT NULL CHECK (method IN ('card', 'bank_transfer', 'e_wallet', 'guarantee')),
    paid_at        TEXT NOT NULL,
    recorded_by    TEXT NOT NULL
);
CREATE INDEX payments_declaration ON payments(declaration_id);

ALTER TABLE declarations ADD COLUMN arrived_at TEXT;
ALTER TABLE declarations ADD COLUMN released_at TEXT;
ALTER TABLE declarations ADD COLUMN exited_at TEXT;
-- How many required LPCOs the declaration lacks (or cannot use), at its last check.
ALTER TABLE declarations ADD COLUMN documents_missing INTEGER NOT NULL DEFAULT 0;
