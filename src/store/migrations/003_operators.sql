-- 003_operators: the economic operator registry of the AEO programme.
-- Extends the operators table of 001 with what the registry needs, and
-- keeps the identification-number format of each country as data.

ALTER TABLE operators ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- Roles in the supply chain, as a comma-separated list of names from
-- aeo/operators.c (importer, exporter, manufacturer, ...).
ALTER TABLE operators ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE operators ADD COLUMN sme INTEGER NOT NULL DEFAULT 0;
ALTER TABLE operators ADD COLUMN ecommerce INTEGER NOT NULL DEFAULT 0;
-- Contacts: a JSON array of {name, role, email, phone}.
ALTER TABLE operators ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE operators ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
-- Lower-cased name for search (portable: no ILIKE, no COLLATE NOCASE).
ALTER TABLE operators ADD COLUMN name_search TEXT NOT NULL DEFAULT '';
CREATE INDEX operators_name_search ON operators(name_search);
CREATE INDEX operators_country ON operators(country);

UPDATE operators SET updated_at = created_at, name_search = LOWER(name);

-- Trader identification number formats. The row for country '*' is the
-- default (EORI-style: the country code followed by up to 15 letters or
-- digits); a country row replaces it for that country. `pattern` is a POSIX
-- extended regular expression matched against the whole number.
CREATE TABLE operator_id_formats (
    country     TEXT PRIMARY KEY,
    pattern     TEXT NOT NULL,
    example     TEXT NOT NULL,
    description TEXT NOT NULL
);
INSERT INTO operator_id_formats (country, pattern, example, description) VALUES
  ('*',  '^[A-Z]{2}[A-Z0-9]{1,15}$', 'DE1234567890', 'EORI-style: ISO country code, then up to 15 letters or digits'),
  ('KZ', '^KZ[0-9]{12}$', 'KZ123456789012', 'KZ followed by the 12-digit business identification number (BIN/IIN)'),
  ('UZ', '^UZ[0-9]{9}$', 'UZ123456789', 'UZ followed by the 9-digit taxpayer identification number (STIR)'),
  ('KG', '^KG[0-9]{14}$', 'KG01234567890123', 'KG followed by the 14-digit taxpayer identification number (INN)');
