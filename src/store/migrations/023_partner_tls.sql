-- 023_partner_tls: mutual TLS with a partner node, besides the signature
-- on every document (docs/EXCHANGE.md). When a partner's client
-- certificate is registered (its SHA-256, of the DER), the inbox takes that
-- partner's documents only over a connection on which the partner showed
-- that certificate.
ALTER TABLE exchange_partners ADD COLUMN tls_certificate TEXT NOT NULL DEFAULT '';
