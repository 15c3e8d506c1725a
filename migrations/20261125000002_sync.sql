-- Till sync: the events tills push (exactly once), the facts applied from them (shifts,
-- sales, returns, cash and stock), per-terminal sync state, alerts, and the change feed
-- tills pull.

ALTER TABLE terminals ADD COLUMN epoch integer NOT NULL DEFAULT 0;

-- Every event a till pushed, once. (terminal, epoch, seq) and event_id are both unique.
CREATE TABLE till_events (
    event_id     uuid PRIMARY KEY,
    terminal_id  uuid NOT NULL REFERENCES terminals (id),
    epoch        integer NOT NULL,
    seq          bigint NOT NULL CHECK (seq > 0),
    kind         text NOT NULL,
    content_hash text NOT NULL,            -- SHA-256 of the envelope as sent
    payload      jsonb NOT NULL,
    occurred_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (terminal_id, epoch, seq)
);

-- Where each terminal's push stands, per epoch (a re-enrolled till starts a new epoch).
CREATE TABLE terminal_sync (
    terminal_id      uuid NOT NULL REFERENCES terminals (id),
    epoch            integer NOT NULL,
    first_seq        bigint NOT NULL CHECK (first_seq > 0),
    acked_seq        bigint NOT NULL,      -- highest contiguous sequence held
    last_receipt_no  bigint NOT NULL DEFAULT 0,
    last_hash        text,
    last_push_at     timestamptz,
    last_pull_at     timestamptz,
    PRIMARY KEY (terminal_id, epoch)
);

CREATE TABLE sync_alerts (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    terminal_id uuid NOT NULL REFERENCES terminals (id),
    kind        text NOT NULL,             -- forked_history, chain_break, receipt_gap, unknown_product, price_mismatch
    detail      jsonb NOT NULL
);
CREATE INDEX sync_alerts_terminal ON sync_alerts (terminal_id, at);

CREATE TABLE shifts (
    id          uuid PRIMARY KEY,
    terminal_id uuid NOT NULL REFERENCES terminals (id),
    location_id uuid NOT NULL REFERENCES locations (id),
    shift_no    bigint NOT NULL,
    cashier_id  uuid NOT NULL,             -- till user id; may be a local till user
    opened_at   timestamptz NOT NULL,
    float_minor bigint NOT NULL,
    closed_at   timestamptz,
    z_report    jsonb
);
CREATE INDEX shifts_terminal ON shifts (terminal_id);
CREATE INDEX shifts_location ON shifts (location_id, opened_at);

CREATE TABLE sales (
    id             uuid PRIMARY KEY,
    terminal_id    uuid NOT NULL REFERENCES terminals (id),
    location_id    uuid NOT NULL REFERENCES locations (id),
    shift_id       uuid NOT NULL,
    cashier_id     uuid NOT NULL,
    receipt_no     bigint NOT NULL,
    receipt_hash   text NOT NULL,
    prev_hash      text NOT NULL,
    completed_at   timestamptz NOT NULL,
    gross_minor    bigint NOT NULL,
    discount_minor bigint NOT NULL,
    total_minor    bigint NOT NULL,
    change_minor   bigint NOT NULL,
    flags          text[] NOT NULL DEFAULT '{}',
    catalog_version text                   -- the till's pull cursor: which head-office prices it used
);
-- Not unique: a till restored from a backup reuses receipt numbers; such sales are
-- stored and flagged (receipt_gap / chain_break), never refused.
CREATE INDEX sales_terminal_receipt ON sales (terminal_id, receipt_no);
CREATE INDEX sales_location_time ON sales (location_id, completed_at);
CREATE INDEX sales_shift ON sales (shift_id);

CREATE TABLE sale_lines (
    sale_id          uuid NOT NULL REFERENCES sales (id),
    line_no          integer NOT NULL,
    product_id       uuid NOT NULL,        -- not a foreign key: a fact may name a since-deleted product
    sku              text NOT NULL,
    name             text NOT NULL,
    unit             text NOT NULL,
    qty_milli        bigint NOT NULL,
    unit_price_minor bigint NOT NULL,
    vat              text NOT NULL,
    gross_minor      bigint NOT NULL,
    discount_minor   bigint NOT NULL,
    total_minor      bigint NOT NULL,
    vat_minor        bigint NOT NULL,
    PRIMARY KEY (sale_id, line_no)
);
CREATE INDEX sale_lines_product ON sale_lines (product_id);

CREATE TABLE sale_payments (
    sale_id       uuid NOT NULL REFERENCES sales (id),
    pos           integer NOT NULL,
    tender        text NOT NULL,
    amount_minor  bigint NOT NULL,
    approval_code text,
    PRIMARY KEY (sale_id, pos)
);

CREATE TABLE sale_returns (
    id           uuid PRIMARY KEY,
    terminal_id  uuid NOT NULL REFERENCES terminals (id),
    location_id  uuid NOT NULL REFERENCES locations (id),
    sale_id      uuid NOT NULL,
    shift_id     uuid NOT NULL,
    receipt_no   bigint NOT NULL,
    completed_at timestamptz NOT NULL,
    total_minor  bigint NOT NULL,
    reason       text,
    doc          jsonb NOT NULL
);
CREATE INDEX sale_returns_terminal_receipt ON sale_returns (terminal_id, receipt_no);
CREATE INDEX sale_returns_sale ON sale_returns (sale_id);

CREATE TABLE cash_movements (
    id           uuid PRIMARY KEY,
    terminal_id  uuid NOT NULL REFERENCES terminals (id),
    shift_id     uuid NOT NULL,
    direction    text NOT NULL,
    amount_minor bigint NOT NULL,
    reason       text NOT NULL,
    at           timestamptz NOT NULL
);

CREATE TABLE sale_voids (
    id          uuid PRIMARY KEY,
    terminal_id uuid NOT NULL REFERENCES terminals (id),
    doc         jsonb NOT NULL
);

-- Inventory movements from tills name their sale or return; products may be unknown.
ALTER TABLE inventory_movements DROP CONSTRAINT inventory_movements_product_id_fkey;
ALTER TABLE inventory_levels DROP CONSTRAINT inventory_levels_product_id_fkey;
ALTER TABLE inventory_movements ADD COLUMN source_event uuid;

-- The change feed tills pull. Rows are written by triggers in the writer's transaction
-- and carry its transaction id, so readers can page by (txid, id) up to the oldest
-- running transaction and never pass a change that commits later.
CREATE TABLE change_log (
    id          bigserial PRIMARY KEY,
    txid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
    entity      text NOT NULL,             -- product, category, price, cashier
    entity_id   uuid NOT NULL,
    location_id uuid,                      -- set for per-location rows (prices, cashiers)
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_txid ON change_log (txid, id);

-- search_path is pinned so the triggers work from any session (psql, restores).
CREATE FUNCTION log_change() RETURNS trigger LANGUAGE plpgsql SET search_path = alaroma, pg_temp AS $$
DECLARE
    rec record;
BEGIN
    IF TG_OP = 'DELETE' THEN rec := OLD; ELSE rec := NEW; END IF;
    IF TG_TABLE_NAME = 'products' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('product', rec.id);
    ELSIF TG_TABLE_NAME = 'barcodes' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('product', rec.product_id);
    ELSIF TG_TABLE_NAME = 'categories' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('category', rec.id);
    ELSIF TG_TABLE_NAME = 'prices' THEN
        INSERT INTO change_log (entity, entity_id, location_id) VALUES ('price', rec.product_id, rec.location_id);
    ELSIF TG_TABLE_NAME = 'users' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('cashier', rec.id);
    ELSIF TG_TABLE_NAME = 'user_locations' THEN
        INSERT INTO change_log (entity, entity_id) VALUES ('cashier', rec.user_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER products_changes AFTER INSERT OR UPDATE OR DELETE ON products FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER barcodes_changes AFTER INSERT OR UPDATE OR DELETE ON barcodes FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER categories_changes AFTER INSERT OR UPDATE OR DELETE ON categories FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER prices_changes AFTER INSERT OR UPDATE OR DELETE ON prices FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER users_changes AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION log_change();
CREATE TRIGGER user_locations_changes AFTER INSERT OR UPDATE OR DELETE ON user_locations FOR EACH ROW EXECUTE FUNCTION log_change();
