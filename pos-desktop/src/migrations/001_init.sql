-- The till's local database. Amounts are integer minor units, quantities thousandths,
-- ids UUID text, timestamps RFC 3339 UTC with milliseconds.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Gapless counters (event sequence, receipt number, shift number), bumped only inside
-- the transaction that uses the new value, so a rollback leaves no gap.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL CHECK (value >= 0)
) STRICT;
INSERT INTO counters (name, value) VALUES ('event_seq', 0), ('receipt_no', 0), ('shift_no', 0);

CREATE TABLE roles (
    code            TEXT PRIMARY KEY,
    max_discount_bp INTEGER NOT NULL CHECK (max_discount_bp BETWEEN 0 AND 10000)
) STRICT;

CREATE TABLE cashiers (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL REFERENCES roles (code),
    pin_hash TEXT NOT NULL,
    active   INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE categories (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_lc     TEXT NOT NULL,   -- lower-cased name for search
    category_id TEXT REFERENCES categories (id),
    unit        TEXT NOT NULL CHECK (unit IN ('pcs', 'ml', 'g')),
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    vat         TEXT NOT NULL CHECK (vat IN ('vat20', 'vat10', 'vat0', 'no_vat')),
    active      INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_name_lc ON products (name_lc);

CREATE TABLE barcodes (
    code       TEXT PRIMARY KEY,      -- Barcode::lookup_key
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX barcodes_product ON barcodes (product_id);

CREATE TABLE shifts (
    id            TEXT PRIMARY KEY,
    shift_no      INTEGER NOT NULL UNIQUE,
    opened_by     TEXT NOT NULL REFERENCES cashiers (id),
    opened_at     TEXT NOT NULL,
    float_minor   INTEGER NOT NULL CHECK (float_minor >= 0),
    closed_by     TEXT REFERENCES cashiers (id),
    closed_at     TEXT,
    counted_minor INTEGER,
    z_report      TEXT
) STRICT;
-- At most one open shift per till.
CREATE UNIQUE INDEX shifts_one_open ON shifts ((closed_at IS NULL)) WHERE closed_at IS NULL;

CREATE TABLE cash_movements (
    id           TEXT PRIMARY KEY,
    shift_id     TEXT NOT NULL REFERENCES shifts (id),
    cashier_id   TEXT NOT NULL REFERENCES cashiers (id),
    direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;
CREATE INDEX cash_movements_shift ON cash_movements (shift_id);

-- The sale in progress and parked sales. Lines keep the price they were rung up at.
CREATE TABLE carts (
    id            TEXT PRIMARY KEY,
    status        TEXT NOT NULL CHECK (status IN ('open', 'parked')),
    cashier_id    TEXT NOT NULL REFERENCES cashiers (id),
    created_at    TEXT NOT NULL,
    parked_at     TEXT,
    note          TEXT,
    sale_discount TEXT               -- JSON Discount
) STRICT;
CREATE UNIQUE INDEX carts_one_open ON carts ((status)) WHERE status = 'open';

CREATE TABLE cart_lines (
    cart_id          TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    pos              INTEGER NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products (id),
    sku              TEXT NOT NULL,
    name             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    vat              TEXT NOT NULL,
    qty_milli        INTEGER NOT NULL CHECK (qty_milli > 0),
    discount         TEXT,           -- JSON Discount
    PRIMARY KEY (cart_id, pos)
) STRICT;

CREATE TABLE cart_payments (
    cart_id       TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    pos           INTEGER NOT NULL,
    tender        TEXT NOT NULL CHECK (tender IN ('cash', 'card')),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    approval_code TEXT,
    PRIMARY KEY (cart_id, pos)
) STRICT;

-- The receipt ledger: gapless numbers and the hash chain over sales and returns.
CREATE TABLE receipts (
    receipt_no INTEGER PRIMARY KEY CHECK (receipt_no > 0),
    kind       TEXT NOT NULL CHECK (kind IN ('sale', 'return')),
    doc_id     TEXT NOT NULL UNIQUE,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;

CREATE TABLE sales (
    id             TEXT PRIMARY KEY,
    receipt_no     INTEGER NOT NULL UNIQUE REFERENCES receipts (receipt_no),
    shift_id       TEXT NOT NULL REFERENCES shifts (id),
    cashier_id     TEXT NOT NULL REFERENCES cashiers (id),
    completed_at   TEXT NOT NULL,
    currency       TEXT NOT NULL,
    gross_minor    INTEGER NOT NULL,
    discount_minor INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL CHECK (total_minor >= 0),
    change_minor   INTEGER NOT NULL CHECK (change_minor >= 0),
    line_count     INTEGER NOT NULL CHECK (line_count > 0)
) STRICT;
CREATE INDEX sales_shift ON sales (shift_id);

CREATE TABLE sale_lines (
    sale_id          TEXT NOT NULL REFERENCES sales (id),
    line_no          INTEGER NOT NULL CHECK (line_no > 0),
    product_id       TEXT NOT NULL REFERENCES products (id),
    sku              TEXT NOT NULL,
    name             TEXT NOT NULL,
    unit             TEXT NOT NULL,
    qty_milli        INTEGER NOT NULL CHECK (qty_milli > 0),
    unit_price_minor INTEGER NOT NULL,
    vat              TEXT NOT NULL,
    gross_minor      INTEGER NOT NULL,
    discount_minor   INTEGER NOT NULL CHECK (discount_minor >= 0),
    total_minor      INTEGER NOT NULL CHECK (total_minor >= 0),
    vat_minor        INTEGER NOT NULL CHECK (vat_minor >= 0),
    PRIMARY KEY (sale_id, line_no)
) STRICT;

CREATE TABLE sale_payments (
    sale_id       TEXT NOT NULL REFERENCES sales (id),
    pos           INTEGER NOT NULL,
    tender        TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    approval_code TEXT,
    PRIMARY KEY (sale_id, pos)
) STRICT;

CREATE TABLE returns (
    id           TEXT PRIMARY KEY,
    receipt_no   INTEGER NOT NULL UNIQUE REFERENCES receipts (receipt_no),
    sale_id      TEXT NOT NULL REFERENCES sales (id),
    shift_id     TEXT NOT NULL REFERENCES shifts (id),
    cashier_id   TEXT NOT NULL REFERENCES cashiers (id),
    completed_at TEXT NOT NULL,
    currency     TEXT NOT NULL,
    total_minor  INTEGER NOT NULL CHECK (total_minor >= 0),  -- zero for goods given free
    reason       TEXT
) STRICT;
CREATE INDEX returns_sale ON returns (sale_id);
CREATE INDEX returns_shift ON returns (shift_id);

CREATE TABLE return_lines (
    return_id    TEXT NOT NULL REFERENCES returns (id),
    sale_id      TEXT NOT NULL,
    sale_line_no INTEGER NOT NULL,
    product_id   TEXT NOT NULL REFERENCES products (id),
    sku          TEXT NOT NULL,
    name         TEXT NOT NULL,
    qty_milli    INTEGER NOT NULL CHECK (qty_milli > 0),
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    vat          TEXT NOT NULL,
    vat_minor    INTEGER NOT NULL CHECK (vat_minor >= 0),
    PRIMARY KEY (return_id, sale_line_no),
    FOREIGN KEY (sale_id, sale_line_no) REFERENCES sale_lines (sale_id, line_no)
) STRICT;
CREATE INDEX return_lines_sale_line ON return_lines (sale_id, sale_line_no);

CREATE TABLE return_refunds (
    return_id     TEXT NOT NULL REFERENCES returns (id),
    pos           INTEGER NOT NULL,
    tender        TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    approval_code TEXT,
    PRIMARY KEY (return_id, pos)
) STRICT;

CREATE TABLE voids (
    id          TEXT PRIMARY KEY,     -- the voided cart's id
    shift_id    TEXT REFERENCES shifts (id),
    cashier_id  TEXT NOT NULL REFERENCES cashiers (id),
    voided_at   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    total_minor INTEGER NOT NULL
) STRICT;
CREATE INDEX voids_shift ON voids (shift_id);

-- Stock is the sum of movements; a movement from a sale or return names it.
CREATE TABLE stock_movements (
    id         TEXT PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    qty_milli  INTEGER NOT NULL CHECK (qty_milli <> 0),
    reason     TEXT NOT NULL,
    sale_id    TEXT REFERENCES sales (id),
    return_id  TEXT REFERENCES returns (id),
    at         TEXT NOT NULL
) STRICT;
CREATE INDEX stock_movements_product ON stock_movements (product_id);
CREATE INDEX stock_movements_sale ON stock_movements (sale_id) WHERE sale_id IS NOT NULL;
CREATE INDEX stock_movements_return ON stock_movements (return_id) WHERE return_id IS NOT NULL;

-- Events waiting to reach head office. Rows leave only once the server acknowledged them.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY CHECK (seq > 0),
    event_id   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    doc_id     TEXT,                 -- the sale, return, shift… the event is about
    payload    TEXT NOT NULL,        -- EventEnvelope as JSON
    created_at TEXT NOT NULL,
    acked_at   TEXT
) STRICT;
CREATE INDEX outbox_doc ON outbox (doc_id);
CREATE INDEX outbox_unacked ON outbox (seq) WHERE acked_at IS NULL;
