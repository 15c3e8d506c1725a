-- Certificates by lookup key (a slow hash of the code), never by code: a copied till
-- database holds no code anyone could spend. Only sold ones come from head office; one
-- this till is selling is kept as `issued` until its sale completes. The old table (every
-- code of the chain in clear) goes, and the next pull starts from a snapshot to refill it.
DROP TABLE certificates;
CREATE TABLE certificates (
    key           TEXT PRIMARY KEY,
    nominal_minor INTEGER NOT NULL,
    balance_minor INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('issued', 'active', 'blocked', 'frozen')),
    expires_on    TEXT NOT NULL,
    home_store    TEXT
) STRICT;
-- This till's own uses, by key too (db.rs rewrites the codes of older rows).
DROP INDEX certificate_uses_code;
ALTER TABLE certificate_uses RENAME COLUMN code TO key;
CREATE INDEX certificate_uses_key ON certificate_uses (key) WHERE settled = 0;
DELETE FROM settings WHERE key = 'pull_cursor';
