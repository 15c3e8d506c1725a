-- The cashier's tax id (ИНН) as head office has it: the register prints it with their
-- name as the receipt's operator (tag 1203).
ALTER TABLE cashiers ADD COLUMN vatin TEXT;
