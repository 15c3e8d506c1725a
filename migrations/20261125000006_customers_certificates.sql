-- Sales record the promotions that priced them and the customer on them; payments and
-- lines name the gift certificate they took or sold.
ALTER TABLE sales ADD COLUMN customer_id uuid;
CREATE INDEX sales_customer ON sales (customer_id, completed_at) WHERE customer_id IS NOT NULL;
ALTER TABLE sale_lines ADD COLUMN certificate text;
ALTER TABLE sale_payments ADD COLUMN certificate text;

CREATE TABLE sale_promotions (
    sale_id      uuid NOT NULL REFERENCES sales (id),
    pos          integer NOT NULL,
    promotion_id uuid NOT NULL,             -- not a foreign key: facts outlive definitions
    version      integer NOT NULL,
    name         text NOT NULL,
    amount_minor bigint NOT NULL,
    PRIMARY KEY (sale_id, pos)
);
CREATE INDEX sale_promotions_promotion ON sale_promotions (promotion_id);

-- Gift certificates: batches head office issues, each certificate's balance and status,
-- every movement on it, online holds, and the chain's offline policy.
CREATE TABLE certificate_batches (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    nominal_minor bigint NOT NULL CHECK (nominal_minor > 0),
    quantity      integer NOT NULL CHECK (quantity BETWEEN 1 AND 10000),
    expires_on    date NOT NULL,
    created_by    uuid REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gift_certificates (
    id               uuid PRIMARY KEY,
    code             text NOT NULL UNIQUE,
    batch_id         uuid NOT NULL REFERENCES certificate_batches (id),
    nominal_minor    bigint NOT NULL CHECK (nominal_minor > 0),
    balance_minor    bigint NOT NULL CHECK (balance_minor >= 0),
    status           text NOT NULL CHECK (status IN ('issued', 'active', 'blocked', 'frozen')),
    expires_on       date NOT NULL,
    home_location_id uuid REFERENCES locations (id),
    sold_at          timestamptz,
    overdraw_minor   bigint NOT NULL DEFAULT 0 CHECK (overdraw_minor >= 0),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX gift_certificates_batch ON gift_certificates (batch_id);
CREATE INDEX gift_certificates_overdrawn ON gift_certificates (updated_at) WHERE overdraw_minor > 0;

CREATE TABLE certificate_ledger (
    id             bigserial PRIMARY KEY,
    certificate_id uuid NOT NULL REFERENCES gift_certificates (id),
    kind           text NOT NULL CHECK (kind IN ('activate', 'redeem', 'refund', 'block', 'unblock')),
    amount_minor   bigint NOT NULL,
    balance_after  bigint NOT NULL,
    overdraw_minor bigint NOT NULL DEFAULT 0,
    location_id    uuid,
    terminal_id    uuid,
    document_id    uuid,                     -- the sale or return
    online         boolean,                  -- redemption reserved with head office first
    user_id        uuid,
    note           text,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificate_ledger_certificate ON certificate_ledger (certificate_id, id);
CREATE UNIQUE INDEX certificate_ledger_once ON certificate_ledger (certificate_id, document_id, kind)
    WHERE document_id IS NOT NULL;

CREATE TABLE certificate_holds (
    certificate_id uuid NOT NULL REFERENCES gift_certificates (id),
    sale_id        uuid NOT NULL,
    terminal_id    uuid NOT NULL,
    amount_minor   bigint NOT NULL CHECK (amount_minor > 0),
    expires_at     timestamptz NOT NULL,
    PRIMARY KEY (certificate_id, sale_id)
);

CREATE TABLE certificate_policy (
    only_row             boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    mode                 text NOT NULL CHECK (mode IN ('allowance', 'online_only')),
    per_redemption_minor bigint NOT NULL CHECK (per_redemption_minor >= 0),
    per_day_minor        bigint NOT NULL CHECK (per_day_minor >= 0),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
INSERT INTO certificate_policy (mode, per_redemption_minor, per_day_minor) VALUES ('allowance', 300000, 500000);

-- Customers, certificates and the policy reach every till through the change feed.
CREATE OR REPLACE FUNCTION log_chain_change() RETURNS trigger LANGUAGE plpgsql SET search_path = alaroma, pg_temp AS $$
BEGIN
    IF TG_TABLE_NAME = 'customers' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('customer', NEW.id);
    ELSIF TG_TABLE_NAME = 'gift_certificates' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('certificate', NEW.id);
    ELSIF TG_TABLE_NAME = 'certificate_policy' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('certificate_policy', '00000000-0000-0000-0000-000000000000');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER customers_changes AFTER INSERT OR UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION log_chain_change();
CREATE TRIGGER gift_certificates_changes AFTER INSERT OR UPDATE ON gift_certificates FOR EACH ROW EXECUTE FUNCTION log_chain_change();
CREATE TRIGGER certificate_policy_changes AFTER INSERT OR UPDATE ON certificate_policy FOR EACH ROW EXECUTE FUNCTION log_chain_change();
