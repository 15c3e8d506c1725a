-- The customer's e-mail or phone for an electronic receipt (tag 1008), given at the till
-- for the sale in progress: the register sends the receipt there through the OFD.
ALTER TABLE carts ADD COLUMN receipt_contact TEXT;
