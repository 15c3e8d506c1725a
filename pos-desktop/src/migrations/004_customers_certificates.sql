-- Cost: the floor promotions never go below.
ALTER TABLE products ADD COLUMN cost_minor INTEGER NOT NULL DEFAULT 0 CHECK (cost_minor >= 0);

-- The promotions each sale got, for reports and the receipt.
CREATE TABLE sale_promotions (
    sale_id      TEXT NOT NULL REFERENCES sales (id),
    pos          INTEGER NOT NULL,
    promotion_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    name         TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (sale_id, pos)
) STRICT;

-- Customers (discount cards): from head office and registered here.
CREATE TABLE customers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    phone      TEXT UNIQUE,
    card_no    TEXT UNIQUE,
    group_code TEXT
) STRICT;
ALTER TABLE carts ADD COLUMN customer_id TEXT;
ALTER TABLE sales ADD COLUMN customer_id TEXT;
-- The moment promotions were priced at once payment started: a time window closing
-- between the first tender and completion must not change what is due.
ALTER TABLE carts ADD COLUMN priced_at TEXT;

-- Gift certificates as head office last sent them, and the chain's offline policy
-- (settings key certificate_policy).
CREATE TABLE certificates (
    code          TEXT PRIMARY KEY,
    nominal_minor INTEGER NOT NULL,
    balance_minor INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('issued', 'active', 'blocked', 'frozen')),
    expires_on    TEXT NOT NULL,
    home_store    TEXT
) STRICT;
-- What this till took from (positive) or put back on (negative) certificates. `settled`
-- once head office's balance includes it.
CREATE TABLE certificate_uses (
    id           TEXT PRIMARY KEY,
    code         TEXT NOT NULL,
    doc_id       TEXT NOT NULL,          -- the sale or return
    amount_minor INTEGER NOT NULL CHECK (amount_minor <> 0),
    day          TEXT NOT NULL,          -- store-local date, for the daily cap
    online       INTEGER NOT NULL,
    settled      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX certificate_uses_code ON certificate_uses (code) WHERE settled = 0;

-- The certificate a line sells, and the certificate a tender took or refunded to.
ALTER TABLE cart_lines ADD COLUMN certificate TEXT;
ALTER TABLE sale_lines ADD COLUMN certificate TEXT;
ALTER TABLE sale_payments ADD COLUMN certificate TEXT;
ALTER TABLE return_refunds ADD COLUMN certificate TEXT;

-- Cart payments gain the certificate tender (SQLite cannot alter a CHECK: rebuild).
CREATE TABLE cart_payments_new (
    cart_id       TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    pos           INTEGER NOT NULL,
    tender        TEXT NOT NULL CHECK (tender IN ('cash', 'card', 'certificate')),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    approval_code TEXT,
    certificate   TEXT,
    online        INTEGER NOT NULL DEFAULT 0,
    CHECK ((tender = 'certificate') = (certificate IS NOT NULL)),
    PRIMARY KEY (cart_id, pos)
) STRICT;
INSERT INTO cart_payments_new (cart_id, pos, tender, amount_minor, approval_code)
    SELECT cart_id, pos, tender, amount_minor, approval_code FROM cart_payments;
DROP TABLE cart_payments;
ALTER TABLE cart_payments_new RENAME TO cart_payments;

-- The product certificate lines are sold as: never scanned, no stock, no VAT on sale
-- (VAT falls due when the certificate pays for goods).
INSERT INTO products (id, sku, name, name_lc, unit, price_minor, vat, active)
VALUES ('00000000-0000-7000-8000-0000000000c1', 'GIFT-CERTIFICATE', 'Подарочный сертификат',
        'подарочный сертификат', 'pcs', 0, 'no_vat', 0);
