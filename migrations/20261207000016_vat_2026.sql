-- VAT from 2026-01-01: the standard rate is 22 % (20 % is gone) and simplified-tax
-- payers charge 5 % or 7 %. Goods now taxed at 20 % move to 22 % (their shelf prices,
-- which include VAT, stay); sales already made keep the rate they were sold at, so only
-- the catalog's check changes. The products trigger logs each change: tills get the new
-- rate with their next pull.
ALTER TABLE products DROP CONSTRAINT products_vat_check;
UPDATE products SET vat = 'vat22', updated_at = now() WHERE vat = 'vat20';
ALTER TABLE products ADD CONSTRAINT products_vat_check
    CHECK (vat IN ('vat22', 'vat10', 'vat7', 'vat5', 'vat0', 'no_vat'));
