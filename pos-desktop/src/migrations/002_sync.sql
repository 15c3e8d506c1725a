-- Sync: per-user discount limits from head office (NULL: the role's limit).
ALTER TABLE cashiers ADD COLUMN discount_limit_bp INTEGER CHECK (discount_limit_bp BETWEEN 0 AND 10000);

-- The head-office data version (pull cursor) a sale's prices came from.
ALTER TABLE sales ADD COLUMN catalog_version TEXT;
