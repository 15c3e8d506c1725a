-- Reports: the figures head office runs the chain on, kept current by the sync ingest in
-- the same transaction that stores the sales, so a report never disagrees with the rows.

-- The store's business day and hour are fixed when a sale is stored, in the store's own
-- time zone: a sale arriving a week late lands in the day it was made.
ALTER TABLE sales ADD COLUMN local_day date;
ALTER TABLE sales ADD COLUMN local_hour smallint;
UPDATE sales s SET local_day = (s.completed_at AT TIME ZONE l.timezone)::date,
                   local_hour = extract(hour FROM s.completed_at AT TIME ZONE l.timezone)
  FROM locations l WHERE l.id = s.location_id;
ALTER TABLE sales ALTER COLUMN local_day SET NOT NULL, ALTER COLUMN local_hour SET NOT NULL;
CREATE INDEX sales_location_day ON sales (location_id, local_day);
CREATE INDEX sales_day ON sales (local_day);

ALTER TABLE sale_returns ADD COLUMN local_day date;
ALTER TABLE sale_returns ADD COLUMN cashier_id uuid;
UPDATE sale_returns r SET local_day = (r.completed_at AT TIME ZONE l.timezone)::date,
                          cashier_id = (r.doc->>'cashier_id')::uuid
  FROM locations l WHERE l.id = r.location_id;
ALTER TABLE sale_returns ALTER COLUMN local_day SET NOT NULL, ALTER COLUMN cashier_id SET NOT NULL;
CREATE INDEX sale_returns_location_day ON sale_returns (location_id, local_day);

-- Returned lines as rows (the document keeps them too), for product and VAT figures.
CREATE TABLE sale_return_lines (
    return_id    uuid NOT NULL REFERENCES sale_returns (id),
    pos          integer NOT NULL,
    sale_line_no integer NOT NULL,
    product_id   uuid NOT NULL,
    qty_milli    bigint NOT NULL,
    amount_minor bigint NOT NULL,
    vat          text NOT NULL,
    vat_minor    bigint NOT NULL,
    cost_minor   bigint NOT NULL,
    PRIMARY KEY (return_id, pos)
);

-- Cost history: a margin uses the cost in force when the sale was made.
CREATE TABLE product_costs (
    product_id uuid NOT NULL,
    valid_from timestamptz NOT NULL,
    cost_minor bigint NOT NULL,
    PRIMARY KEY (product_id, valid_from)
);
INSERT INTO product_costs (product_id, valid_from, cost_minor)
SELECT id, '-infinity', cost_minor FROM products;

CREATE FUNCTION record_product_cost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_costs (product_id, valid_from, cost_minor)
    VALUES (NEW.id, CASE WHEN TG_OP = 'INSERT' THEN '-infinity'::timestamptz ELSE now() END, NEW.cost_minor)
    ON CONFLICT (product_id, valid_from) DO UPDATE SET cost_minor = EXCLUDED.cost_minor;
    RETURN NULL;
END $$;
CREATE TRIGGER products_cost_insert AFTER INSERT ON products
    FOR EACH ROW EXECUTE FUNCTION record_product_cost();
CREATE TRIGGER products_cost_update AFTER UPDATE OF cost_minor ON products
    FOR EACH ROW WHEN (OLD.cost_minor IS DISTINCT FROM NEW.cost_minor) EXECUTE FUNCTION record_product_cost();

-- Cost of each line sold (unit cost at the time × quantity, rounded to the kopeck).
ALTER TABLE sale_lines ADD COLUMN cost_minor bigint NOT NULL DEFAULT 0;

-- Refunds of a return by tender (the document keeps them too).
CREATE TABLE sale_return_refunds (
    return_id    uuid NOT NULL REFERENCES sale_returns (id),
    pos          integer NOT NULL,
    tender       text NOT NULL,
    amount_minor bigint NOT NULL,
    PRIMARY KEY (return_id, pos)
);

-- Rollups, one row per store-local day and the dimensions reports filter by; each is
-- added to in the ingest transaction (reports::rollup). Money in minor units.
CREATE TABLE report_daily (
    day           date NOT NULL,
    location_id   uuid NOT NULL,
    terminal_id   uuid NOT NULL,
    cashier_id    uuid NOT NULL,
    receipts      bigint NOT NULL DEFAULT 0,
    lines         bigint NOT NULL DEFAULT 0,
    items_milli   bigint NOT NULL DEFAULT 0,   -- goods only, not certificates
    gross         bigint NOT NULL DEFAULT 0,
    discount      bigint NOT NULL DEFAULT 0,
    sales         bigint NOT NULL DEFAULT 0,   -- what customers paid, certificates sold included
    certificates  bigint NOT NULL DEFAULT 0,   -- of which gift certificates sold (a liability)
    cost          bigint NOT NULL DEFAULT 0,
    returns       bigint NOT NULL DEFAULT 0,
    returned      bigint NOT NULL DEFAULT 0,
    returned_cost bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location_id, terminal_id, cashier_id)
);
CREATE INDEX report_daily_location ON report_daily (location_id, day);

CREATE TABLE report_daily_vat (
    day          date NOT NULL,
    location_id  uuid NOT NULL,
    terminal_id  uuid NOT NULL,
    cashier_id   uuid NOT NULL,
    vat          text NOT NULL,
    sales        bigint NOT NULL DEFAULT 0,
    sales_vat    bigint NOT NULL DEFAULT 0,
    returned     bigint NOT NULL DEFAULT 0,
    returned_vat bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location_id, terminal_id, cashier_id, vat)
);

CREATE TABLE report_daily_tender (
    day         date NOT NULL,
    location_id uuid NOT NULL,
    terminal_id uuid NOT NULL,
    cashier_id  uuid NOT NULL,
    tender      text NOT NULL,
    payments    bigint NOT NULL DEFAULT 0,
    sales       bigint NOT NULL DEFAULT 0,     -- cash net of change given
    refunds     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location_id, terminal_id, cashier_id, tender)
);

CREATE TABLE report_daily_product (
    day           date NOT NULL,
    location_id   uuid NOT NULL,
    product_id    uuid NOT NULL,
    lines         bigint NOT NULL DEFAULT 0,
    qty_milli     bigint NOT NULL DEFAULT 0,
    gross         bigint NOT NULL DEFAULT 0,
    discount      bigint NOT NULL DEFAULT 0,
    sales         bigint NOT NULL DEFAULT 0,
    cost          bigint NOT NULL DEFAULT 0,
    returned_qty  bigint NOT NULL DEFAULT 0,
    returned      bigint NOT NULL DEFAULT 0,
    returned_cost bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location_id, product_id)
);
CREATE INDEX report_daily_product_product ON report_daily_product (product_id, day);

CREATE TABLE report_hourly (
    day         date NOT NULL,
    location_id uuid NOT NULL,
    hour        smallint NOT NULL,
    receipts    bigint NOT NULL DEFAULT 0,
    sales       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location_id, hour)
);

-- The cost of `qty` (thousandths) of a product at a moment, rounded to the kopeck.
CREATE FUNCTION cost_at(p uuid, at timestamptz, qty bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT COALESCE(round((SELECT c.cost_minor FROM product_costs c
                           WHERE c.product_id = p AND c.valid_from <= at
                           ORDER BY c.valid_from DESC LIMIT 1)::numeric * qty / 1000), 0)::bigint
$$;

-- Adds stored sales to the rollups. Rows are grouped and taken in key order, so two
-- tills of one store adding at once queue on the same rows instead of deadlocking.
CREATE FUNCTION report_add_sales(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO report_daily AS r (day, location_id, terminal_id, cashier_id, receipts, lines, items_milli,
                                   gross, discount, sales, certificates, cost)
    SELECT s.local_day, s.location_id, s.terminal_id, s.cashier_id, count(*), sum(l.lines), sum(l.items),
           sum(s.gross_minor), sum(s.discount_minor), sum(s.total_minor), sum(l.certs), sum(l.cost)
    FROM sales s
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE certificate IS NULL) AS lines,
               COALESCE(sum(qty_milli) FILTER (WHERE certificate IS NULL), 0) AS items,
               COALESCE(sum(total_minor) FILTER (WHERE certificate IS NOT NULL), 0) AS certs,
               COALESCE(sum(cost_minor), 0) AS cost
        FROM sale_lines WHERE sale_id = s.id) l
    WHERE s.id = ANY(ids)
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, location_id, terminal_id, cashier_id) DO UPDATE SET
        receipts = r.receipts + EXCLUDED.receipts, lines = r.lines + EXCLUDED.lines,
        items_milli = r.items_milli + EXCLUDED.items_milli, gross = r.gross + EXCLUDED.gross,
        discount = r.discount + EXCLUDED.discount, sales = r.sales + EXCLUDED.sales,
        certificates = r.certificates + EXCLUDED.certificates, cost = r.cost + EXCLUDED.cost;

    INSERT INTO report_daily_vat AS r (day, location_id, terminal_id, cashier_id, vat, sales, sales_vat)
    SELECT s.local_day, s.location_id, s.terminal_id, s.cashier_id, l.vat, sum(l.total_minor), sum(l.vat_minor)
    FROM sales s JOIN sale_lines l ON l.sale_id = s.id
    WHERE s.id = ANY(ids)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, location_id, terminal_id, cashier_id, vat) DO UPDATE SET
        sales = r.sales + EXCLUDED.sales, sales_vat = r.sales_vat + EXCLUDED.sales_vat;

    INSERT INTO report_daily_tender AS r (day, location_id, terminal_id, cashier_id, tender, payments, sales)
    SELECT s.local_day, s.location_id, s.terminal_id, s.cashier_id, p.tender, sum(p.n),
           sum(p.amount - CASE WHEN p.tender = 'cash' THEN s.change_minor ELSE 0 END)
    FROM (SELECT sale_id, tender, count(*) AS n, sum(amount_minor) AS amount
          FROM sale_payments WHERE sale_id = ANY(ids) GROUP BY 1, 2) p
    JOIN sales s ON s.id = p.sale_id
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, location_id, terminal_id, cashier_id, tender) DO UPDATE SET
        payments = r.payments + EXCLUDED.payments, sales = r.sales + EXCLUDED.sales;

    INSERT INTO report_daily_product AS r (day, location_id, product_id, lines, qty_milli, gross, discount, sales, cost)
    SELECT s.local_day, s.location_id, l.product_id, count(*), sum(l.qty_milli), sum(l.gross_minor),
           sum(l.discount_minor), sum(l.total_minor), sum(l.cost_minor)
    FROM sales s JOIN sale_lines l ON l.sale_id = s.id
    WHERE s.id = ANY(ids) AND l.certificate IS NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, location_id, product_id) DO UPDATE SET
        lines = r.lines + EXCLUDED.lines, qty_milli = r.qty_milli + EXCLUDED.qty_milli,
        gross = r.gross + EXCLUDED.gross, discount = r.discount + EXCLUDED.discount,
        sales = r.sales + EXCLUDED.sales, cost = r.cost + EXCLUDED.cost;

    INSERT INTO report_hourly AS r (day, location_id, hour, receipts, sales)
    SELECT local_day, location_id, local_hour, count(*), sum(total_minor)
    FROM sales WHERE id = ANY(ids)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, location_id, hour) DO UPDATE SET
        receipts = r.receipts + EXCLUDED.receipts, sales = r.sales + EXCLUDED.sales;
$$;

-- Adds stored returns (with their lines and refunds) to the rollups, in the return's day.
CREATE FUNCTION report_add_returns(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO report_daily AS r (day, location_id, terminal_id, cashier_id, returns, returned, returned_cost)
    SELECT x.local_day, x.location_id, x.terminal_id, x.cashier_id, count(*), sum(x.total_minor),
           sum((SELECT COALESCE(sum(cost_minor), 0) FROM sale_return_lines WHERE return_id = x.id))
    FROM sale_returns x WHERE x.id = ANY(ids)
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (day, location_id, terminal_id, cashier_id) DO UPDATE SET
        returns = r.returns + EXCLUDED.returns, returned = r.returned + EXCLUDED.returned,
        returned_cost = r.returned_cost + EXCLUDED.returned_cost;

    INSERT INTO report_daily_vat AS r (day, location_id, terminal_id, cashier_id, vat, returned, returned_vat)
    SELECT x.local_day, x.location_id, x.terminal_id, x.cashier_id, l.vat, sum(l.amount_minor), sum(l.vat_minor)
    FROM sale_returns x JOIN sale_return_lines l ON l.return_id = x.id
    WHERE x.id = ANY(ids)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, location_id, terminal_id, cashier_id, vat) DO UPDATE SET
        returned = r.returned + EXCLUDED.returned, returned_vat = r.returned_vat + EXCLUDED.returned_vat;

    INSERT INTO report_daily_tender AS r (day, location_id, terminal_id, cashier_id, tender, refunds)
    SELECT x.local_day, x.location_id, x.terminal_id, x.cashier_id, f.tender, sum(f.amount_minor)
    FROM sale_returns x JOIN sale_return_refunds f ON f.return_id = x.id
    WHERE x.id = ANY(ids)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, location_id, terminal_id, cashier_id, tender) DO UPDATE SET
        refunds = r.refunds + EXCLUDED.refunds;

    INSERT INTO report_daily_product AS r (day, location_id, product_id, returned_qty, returned, returned_cost)
    SELECT x.local_day, x.location_id, l.product_id, sum(l.qty_milli), sum(l.amount_minor), sum(l.cost_minor)
    FROM sale_returns x JOIN sale_return_lines l ON l.return_id = x.id
    WHERE x.id = ANY(ids)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (day, location_id, product_id) DO UPDATE SET
        returned_qty = r.returned_qty + EXCLUDED.returned_qty, returned = r.returned + EXCLUDED.returned,
        returned_cost = r.returned_cost + EXCLUDED.returned_cost;
$$;

-- What was stored before this migration: costs at today's price list (no history
-- existed), returns' lines and refunds from their documents, then the rollups.
UPDATE sale_lines l SET cost_minor = cost_at(l.product_id, s.completed_at, l.qty_milli)
  FROM sales s WHERE s.id = l.sale_id AND l.certificate IS NULL;
INSERT INTO sale_return_lines (return_id, pos, sale_line_no, product_id, qty_milli, amount_minor, vat, vat_minor, cost_minor)
SELECT r.id, e.ord, (e.v->>'sale_line_no')::int, (e.v->>'product_id')::uuid, (e.v->>'qty')::bigint,
       (e.v->'amount'->>'minor')::bigint, e.v->>'vat_rate', (e.v->'vat'->>'minor')::bigint,
       cost_at((e.v->>'product_id')::uuid, r.completed_at, (e.v->>'qty')::bigint)
FROM sale_returns r, jsonb_array_elements(r.doc->'lines') WITH ORDINALITY AS e(v, ord);
INSERT INTO sale_return_refunds (return_id, pos, tender, amount_minor)
SELECT r.id, e.ord, e.v->>'tender', (e.v->'amount'->>'minor')::bigint
FROM sale_returns r, jsonb_array_elements(r.doc->'refunds') WITH ORDINALITY AS e(v, ord);
SELECT report_add_sales(ARRAY(SELECT id FROM sales));
SELECT report_add_returns(ARRAY(SELECT id FROM sale_returns));
