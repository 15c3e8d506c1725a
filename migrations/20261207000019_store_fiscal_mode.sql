-- Head office says per store whether its tills must sell through a fiscal register (the
-- law's default) or may sell without one (non_fiscal), and the taxation system printed on
-- its receipts. Both travel to the store's tills with the store's other settings.
ALTER TABLE locations
    ADD COLUMN non_fiscal boolean NOT NULL DEFAULT false,
    ADD COLUMN taxation text NOT NULL DEFAULT 'osn'
        CHECK (taxation IN ('osn', 'usn_income', 'usn_income_outcome', 'patent', 'esn'));
