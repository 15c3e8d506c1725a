-- VAT from 2026-01-01 (see the server's migration 16): the catalog takes 22, 10, 7, 5,
-- 0 % and no VAT; goods at 20 % move to 22 % until head office's next feed says so too.
-- SQLite cannot change a CHECK in place: the table is rebuilt (db.rs runs migrations
-- with foreign keys off and checks them before committing, as SQLite's docs prescribe).
CREATE TABLE products_new (
    id          TEXT PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_lc     TEXT NOT NULL,   -- lower-cased name for search
    category_id TEXT REFERENCES categories (id),
    unit        TEXT NOT NULL CHECK (unit IN ('pcs', 'ml', 'g')),
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    vat         TEXT NOT NULL CHECK (vat IN ('vat22', 'vat10', 'vat7', 'vat5', 'vat0', 'no_vat')),
    active      INTEGER NOT NULL DEFAULT 1,
    cost_minor  INTEGER NOT NULL DEFAULT 0 CHECK (cost_minor >= 0)
) STRICT;
INSERT INTO products_new (id, sku, name, name_lc, category_id, unit, price_minor, vat, active, cost_minor)
SELECT id, sku, name, name_lc, category_id, unit, price_minor,
       CASE vat WHEN 'vat20' THEN 'vat22' ELSE vat END, active, cost_minor
FROM products;
DROP TABLE products;
ALTER TABLE products_new RENAME TO products;
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_name_lc ON products (name_lc);
