-- A cashier's tax id (ИНН), printed with their name on the fiscal receipts they make.
ALTER TABLE users ADD COLUMN vatin text CHECK (vatin ~ '^[0-9]{12}$');
