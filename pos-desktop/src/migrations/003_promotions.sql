-- Promotions from head office (the shared engine's definition as JSON), and what the
-- customer presented on the sale in progress.
CREATE TABLE promotions (
    id         TEXT PRIMARY KEY,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1
) STRICT;
ALTER TABLE carts ADD COLUMN coupons TEXT;          -- JSON array of codes
ALTER TABLE carts ADD COLUMN customer_group TEXT;
