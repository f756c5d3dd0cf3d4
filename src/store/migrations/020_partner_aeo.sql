-- 020_partner_aeo: the AEOs of partner administrations under a mutual
-- recognition agreement (MRA), as their signed AEO status credentials said
-- (docs/EXCHANGE.md). The selectivity engine gives an import declaration
-- whose seller or exporter is a valid partner AEO, in the partner's country
-- of dispatch, the MRA benefit (aeo = partner).
CREATE TABLE partner_aeo (
    country        TEXT NOT NULL,        -- the partner administration's country (ISO 3166)
    operator_id    TEXT NOT NULL,        -- the operator's identification number there
    name           TEXT NOT NULL,
    aeo_number     TEXT NOT NULL,
    aeo_type       TEXT NOT NULL CHECK (aeo_type IN ('AEOC', 'AEOS', 'AEOF')),
    status         TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked', 'expired')),
    valid_from     TEXT NOT NULL,        -- date
    valid_until    TEXT,                 -- date, or NULL: open-ended
    credential_id  TEXT NOT NULL,        -- the credential that said so
    issued_at      TEXT NOT NULL,        -- when the partner issued it: an older one never wins
    received_at    TEXT NOT NULL,
    PRIMARY KEY (country, operator_id)
);
CREATE INDEX partner_aeo_operator ON partner_aeo(operator_id);
