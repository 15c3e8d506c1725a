-- Sync: per-user discount limits from head office (NULL: the role's limit).
ALTER TABLE cashiers ADD COLUMN discount_limit_bp INTEGER CHECK (discount_limit_bp BETWEEN 0 AND 10000);
