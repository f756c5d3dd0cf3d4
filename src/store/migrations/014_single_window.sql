-- 014_single_window: lodging declarations through the single window —
-- customs offices, who may lodge for whom, the declaration's lifecycle
-- (versions, consignment events), notifications to traders, and what
-- values in other currencies are worth in the node's.

-- Customs offices of the node (UN/LOCODE-like codes: KZ-ALA).
CREATE TABLE customs_offices (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'inland',     -- border, inland, airport, rail
    created_at TEXT NOT NULL
);

-- A customs broker or forwarder (agent) that lodges as declarant for a
-- client: the client's identification number, by the agent's operator.
CREATE TABLE representations (
    agent_operator_id TEXT NOT NULL REFERENCES operators(id),
    client_tin        TEXT NOT NULL,
    valid_from        TEXT NOT NULL,
    valid_to          TEXT,
    PRIMARY KEY (agent_operator_id, client_tin)
);

-- ISO 4217 minor units that are not 2 (the rest have 2).
CREATE TABLE currency_minor_units (
    code        TEXT PRIMARY KEY,
    minor_units INTEGER NOT NULL
);
INSERT INTO currency_minor_units (code, minor_units) VALUES
  ('BIF', 0), ('CLP', 0), ('DJF', 0), ('GNF', 0), ('ISK', 0), ('JPY', 0), ('KMF', 0),
  ('KRW', 0), ('PYG', 0), ('RWF', 0), ('UGX', 0), ('UYI', 0), ('VND', 0), ('VUV', 0),
  ('XAF', 0), ('XOF', 0), ('XPF', 0),
  ('BHD', 3), ('IQD', 3), ('JOD', 3), ('KWD', 3), ('LYD', 3), ('OMR', 3), ('TND', 3);

-- Customs exchange rates: node currency per one unit of currency, from a date.
CREATE TABLE exchange_rates (
    currency   TEXT NOT NULL,
    valid_from TEXT NOT NULL,                       -- date
    rate       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (currency, valid_from)
);

-- Counters handed out inside a transaction (notification cursors, numbers).
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO counters (name, last) VALUES ('notifications', 0);

-- Who lodged a declaration, and its lifecycle.
ALTER TABLE declarations ADD COLUMN operator_id TEXT REFERENCES operators(id);
ALTER TABLE declarations ADD COLUMN lodged_by TEXT NOT NULL DEFAULT '';
ALTER TABLE declarations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE declarations ADD COLUMN expected_arrival TEXT;
ALTER TABLE declarations ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
CREATE INDEX declarations_operator ON declarations(operator_id, lodged_at);

-- What an item says besides what the engine reads.
ALTER TABLE declaration_items ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE declaration_items ADD COLUMN quantity DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE declaration_items ADD COLUMN unit TEXT NOT NULL DEFAULT '';      -- UNECE Rec 20
ALTER TABLE declaration_items ADD COLUMN amount BIGINT NOT NULL DEFAULT 0;    -- minor units
ALTER TABLE declaration_items ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE declaration_items ADD COLUMN preference TEXT NOT NULL DEFAULT '';

-- Every version of a declaration's document, the lodged one first.
CREATE TABLE declaration_versions (
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    version        INTEGER NOT NULL,
    document       TEXT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (declaration_id, version)
);

-- The consignment's timeline (WCO Time Release Study steps).
CREATE TABLE consignment_events (
    id             TEXT PRIMARY KEY,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    kind           TEXT NOT NULL CHECK (kind IN ('lodged', 'amended', 'accepted', 'risk_decided',
                       'documents_required', 'arrived', 'examination_started',
                       'examination_ended', 'payment_required', 'paid', 'released', 'exited',
                       'rejected', 'cancelled')),
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX consignment_events_declaration ON consignment_events(declaration_id, at);
CREATE INDEX consignment_events_kind ON consignment_events(kind, at);

-- Status notifications to the trader that lodged, in cursor order.
CREATE TABLE notifications (
    seq            BIGINT PRIMARY KEY,
    operator_id    TEXT NOT NULL REFERENCES operators(id),
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    status         TEXT NOT NULL,
    detail         TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL
);
CREATE INDEX notifications_operator ON notifications(operator_id, seq);

-- Regulatory requirements (non-tariff measures) as data: goods in an HS
-- range (codes compared by their first digits: "2903" .. "2903" is the
-- whole heading), moving in a direction (and from an origin, when given),
-- need a licence, permit, certificate or other document (LPCO) of a type,
-- issued by the agency that holds an authority. Agencies say which
-- authorities they hold; a node edits these rows for its own law.
ALTER TABLE agencies ADD COLUMN authorities TEXT NOT NULL DEFAULT '';  -- "environment,health"

CREATE TABLE regulatory_requirements (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    hs_from     TEXT NOT NULL,
    hs_to       TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('import', 'export', 'transit', 'any')),
    origin      TEXT,                                -- NULL: any origin
    lpco_type   TEXT NOT NULL,
    authority   TEXT NOT NULL,                       -- environment, agriculture, health, trade, interior
    inspection  INTEGER NOT NULL DEFAULT 0,          -- the agency examines the goods as well
    legal_basis TEXT NOT NULL
);
CREATE INDEX regulatory_requirements_hs ON regulatory_requirements(hs_from);

INSERT INTO regulatory_requirements (id, name, hs_from, hs_to, direction, lpco_type, authority, inspection, legal_basis) VALUES
  ('ODS-HFC',     'Hydrofluorocarbons (ozone layer, Kigali amendment)', '290341', '290349', 'any', 'ODS-LICENCE', 'environment', 0, 'Montreal Protocol on Substances that Deplete the Ozone Layer'),
  ('ODS-MIX',     'Mixtures of halogenated derivatives (HS 2022 heading 3827)', '3827', '3827', 'any', 'ODS-LICENCE', 'environment', 0, 'Montreal Protocol on Substances that Deplete the Ozone Layer'),
  ('BASEL-SLAG',  'Slag, ash and residues containing metals', '2618', '2621', 'any', 'BASEL-CONSENT', 'environment', 1, 'Basel Convention on hazardous wastes'),
  ('BASEL-3825',  'Residual products of the chemical industries', '3825', '3825', 'any', 'BASEL-CONSENT', 'environment', 1, 'Basel Convention on hazardous wastes'),
  ('BASEL-3915',  'Waste, parings and scrap of plastics', '3915', '3915', 'any', 'BASEL-CONSENT', 'environment', 1, 'Basel Convention on hazardous wastes'),
  ('BASEL-4707',  'Recovered (waste and scrap) paper', '4707', '4707', 'any', 'BASEL-CONSENT', 'environment', 0, 'Basel Convention on hazardous wastes'),
  ('BASEL-7204',  'Ferrous waste and scrap', '7204', '7204', 'any', 'BASEL-CONSENT', 'environment', 0, 'Basel Convention on hazardous wastes'),
  ('BASEL-7404',  'Copper waste and scrap', '7404', '7404', 'any', 'BASEL-CONSENT', 'environment', 0, 'Basel Convention on hazardous wastes'),
  ('BASEL-EWASTE','Electrical and electronic waste (HS 2022 heading 8549)', '8549', '8549', 'any', 'BASEL-CONSENT', 'environment', 1, 'Basel Convention on hazardous wastes'),
  ('CITES-01',    'Live animals (listed species)', '01', '01', 'any', 'CITES-PERMIT', 'environment', 1, 'CITES'),
  ('CITES-03',    'Fish and aquatic invertebrates (listed species: sturgeon, caviar)', '0301', '0308', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('CITES-05',    'Products of animal origin (ivory, horn, coral)', '05', '05', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('CITES-06',    'Live plants (orchids, cacti)', '06', '06', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('CITES-41',    'Raw hides and skins (reptiles)', '41', '41', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('CITES-43',    'Furskins', '43', '43', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('CITES-44',    'Wood (listed timber species)', '4403', '4407', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('CITES-97',    'Works of art and antiques (specimens of listed species)', '97', '97', 'any', 'CITES-PERMIT', 'environment', 0, 'CITES'),
  ('PIC-3808',    'Insecticides, herbicides, fungicides', '3808', '3808', 'any', 'PIC-CONSENT', 'environment', 0, 'Rotterdam Convention (prior informed consent)'),
  ('PIC-2524',    'Asbestos', '2524', '2524', 'any', 'PIC-CONSENT', 'environment', 0, 'Rotterdam Convention (prior informed consent)'),
  ('PIC-ORGANIC', 'Organo-sulphur and heterocyclic compounds', '2930', '2933', 'any', 'PIC-CONSENT', 'environment', 0, 'Rotterdam Convention (prior informed consent)'),
  ('MEDICINES',   'Medicaments', '3003', '3004', 'import', 'MEDICINE-REGISTRATION', 'health', 0, 'Medicines law: registration and import permit'),
  ('NARCOTICS',   'Alkaloids and their derivatives (narcotic and psychotropic)', '2939', '2939', 'any', 'NARCOTICS-PERMIT', 'interior', 1, 'UN Single Convention on Narcotic Drugs; Convention on Psychotropic Substances'),
  ('TOBACCO',     'Tobacco and manufactured tobacco', '2401', '2403', 'import', 'TOBACCO-LICENCE', 'trade', 0, 'Tobacco law: import licence and excise stamps'),
  ('VET-MEAT',    'Meat and edible offal', '02', '02', 'import', 'VETERINARY-CERTIFICATE', 'agriculture', 1, 'Veterinary law; WTO SPS Agreement'),
  ('VET-DAIRY',   'Dairy produce, eggs, honey', '04', '04', 'import', 'VETERINARY-CERTIFICATE', 'agriculture', 1, 'Veterinary law; WTO SPS Agreement'),
  ('PHYTO-PLANTS','Vegetables, fruit and nuts', '07', '08', 'import', 'PHYTOSANITARY-CERTIFICATE', 'agriculture', 1, 'Plant quarantine law; IPPC (ePhyto)'),
  ('PHYTO-CEREAL','Cereals', '10', '10', 'import', 'PHYTOSANITARY-CERTIFICATE', 'agriculture', 1, 'Plant quarantine law; IPPC (ePhyto)'),
  ('FOOD-SAFETY', 'Preparations of meat, fish, cereals; beverages', '16', '22', 'import', 'FOOD-SAFETY-CERTIFICATE', 'health', 0, 'Food safety and labelling law'),
  ('VEHICLES',    'Motor cars and vehicles for the transport of goods', '8703', '8704', 'import', 'VEHICLE-TYPE-APPROVAL', 'trade', 0, 'Technical regulation on the safety of wheeled vehicles'),
  ('EXPLOSIVES',  'Explosives, pyrotechnics, detonators', '3601', '3604', 'any', 'HAZARDOUS-GOODS-PERMIT', 'interior', 1, 'Law on hazardous substances and explosives');

-- Licences, permits, certificates and other documents (LPCO) that partner
-- agencies issue electronically: the trader applies for goods by HS line,
-- the agency issues (quantity per line, validity) or refuses with reasons;
-- declarations then use the quantities until they are exhausted or expire.
CREATE TABLE lpcos (
    id           TEXT PRIMARY KEY,
    number       TEXT UNIQUE,                       -- given at issue
    type         TEXT NOT NULL,                     -- ODS-LICENCE, PHYTOSANITARY-CERTIFICATE, ...
    agency       TEXT NOT NULL REFERENCES agencies(code),
    operator_id  TEXT NOT NULL REFERENCES operators(id),
    status       TEXT NOT NULL CHECK (status IN ('applied', 'issued', 'refused')),
    valid_from   TEXT NOT NULL,                     -- date (asked for, then granted)
    valid_to     TEXT NOT NULL,
    notes        TEXT NOT NULL DEFAULT '',
    reasons      TEXT NOT NULL DEFAULT '',          -- of a refusal
    applied_by   TEXT NOT NULL,
    applied_at   TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT
);
CREATE INDEX lpcos_operator ON lpcos(operator_id, applied_at);
CREATE INDEX lpcos_agency ON lpcos(agency, status);

CREATE TABLE lpco_lines (
    lpco_id   TEXT NOT NULL REFERENCES lpcos(id),
    line      INTEGER NOT NULL,
    hs        TEXT NOT NULL,                        -- 4 to 10 digits: covers codes starting so
    description TEXT NOT NULL,
    unit      TEXT NOT NULL,                        -- UNECE Rec 20
    requested DOUBLE PRECISION NOT NULL,
    granted   DOUBLE PRECISION NOT NULL DEFAULT 0,
    used      DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (lpco_id, line),
    CHECK (used <= granted)
);

-- What each declaration item drew from a line (at release).
CREATE TABLE lpco_uses (
    lpco_id        TEXT NOT NULL REFERENCES lpcos(id),
    line           INTEGER NOT NULL,
    declaration_id TEXT NOT NULL REFERENCES declarations(id),
    item           INTEGER NOT NULL,
    quantity       DOUBLE PRECISION NOT NULL,
    used_at        TEXT NOT NULL,
    PRIMARY KEY (lpco_id, declaration_id, item)
);
