-- Sale lines, the biggest table (about five a receipt: 10 M+ rows over two years of a
-- chain), partitioned by the store-local month of their sale. Reports read rollups, so
-- the raw lines matter for recent months and for audits; a month is one table that can
-- be vacuumed, indexed, detached or moved to cheaper storage on its own.
--
-- The sale headers stay one table on purpose: a sale's id is the till's idempotency key,
-- and a partitioned table can keep a key unique only when it includes the partition
-- column. Lines carry their sale's local_day, and every join on a sale names it, so a
-- lookup touches one month's index instead of every month's.

ALTER TABLE sale_lines RENAME TO sale_lines_flat;
ALTER INDEX sale_lines_pkey RENAME TO sale_lines_flat_pkey;
ALTER INDEX sale_lines_product RENAME TO sale_lines_flat_product;

CREATE TABLE sale_lines (
    LIKE sale_lines_flat INCLUDING DEFAULTS,
    local_day date NOT NULL
) PARTITION BY RANGE (local_day);
ALTER TABLE sale_lines ADD PRIMARY KEY (sale_id, line_no, local_day);
CREATE INDEX sale_lines_product ON sale_lines (product_id, local_day);
-- Catches a sale from a month that has no partition yet (a till whose clock is years off);
-- sale_lines_ensure_partitions gives such months their own partition and moves the rows.
CREATE TABLE sale_lines_default PARTITION OF sale_lines DEFAULT;

-- Adds the partition of one month (idempotent; replicas may race, the lock orders them).
CREATE FUNCTION sale_lines_add_month(day date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    m    date := date_trunc('month', day)::date;
    next date := (date_trunc('month', day) + interval '1 month')::date;
    part text := format('sale_lines_%s', to_char(m, 'YYYY_MM'));
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('sale_lines_partitions'));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE sale_lines INCLUDING DEFAULTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM sale_lines_default WHERE local_day >= %L AND local_day < %L RETURNING *)
                    INSERT INTO %I SELECT * FROM moved', m, next, part);
    EXECUTE format('ALTER TABLE sale_lines ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, m, next);
    RETURN true;
END $$;

-- Makes sure every month from `from_day` to `to_day` has its partition, and so does every
-- month that strayed into the default one. Returns how many partitions it added.
CREATE FUNCTION sale_lines_ensure_partitions(from_day date, to_day date) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    m     date;
    added integer := 0;
BEGIN
    FOR m IN
        SELECT generate_series(date_trunc('month', from_day), date_trunc('month', to_day), interval '1 month')::date
        UNION
        SELECT DISTINCT date_trunc('month', local_day)::date FROM sale_lines_default
        ORDER BY 1
    LOOP
        IF sale_lines_add_month(m) THEN
            added := added + 1;
        END IF;
    END LOOP;
    RETURN added;
END $$;

SELECT sale_lines_ensure_partitions(
    LEAST(COALESCE((SELECT min(local_day) FROM sales), current_date), current_date - 31),
    GREATEST(COALESCE((SELECT max(local_day) FROM sales), current_date), current_date + 92));
INSERT INTO sale_lines SELECT f.*, s.local_day FROM sale_lines_flat f JOIN sales s ON s.id = f.sale_id;
DROP TABLE sale_lines_flat;
ALTER TABLE sale_lines ADD CONSTRAINT sale_lines_sale_id_fkey FOREIGN KEY (sale_id) REFERENCES sales (id);

-- The rollup functions, joining lines on their sale's day so each lookup prunes to a month.
CREATE OR REPLACE FUNCTION report_add_sales(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    WITH b AS MATERIALIZED (
        SELECT s.id, s.local_day, s.local_hour, s.location_id, s.terminal_id, s.cashier_id, s.gross_minor AS s_gross,
               s.discount_minor AS s_discount, s.total_minor AS s_total, s.change_minor,
               l.line_no, l.product_id, l.qty_milli, l.gross_minor, l.discount_minor, l.total_minor, l.vat, l.vat_minor,
               l.cost_minor, l.certificate IS NOT NULL AS cert
        FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day
        WHERE s.id = ANY(ids)),
    per_sale AS (
        SELECT id, local_day, local_hour, location_id, terminal_id, cashier_id, s_gross, s_discount, s_total,
               change_minor, count(*) FILTER (WHERE NOT cert) AS lines,
               COALESCE(sum(qty_milli) FILTER (WHERE NOT cert), 0) AS items,
               COALESCE(sum(total_minor) FILTER (WHERE cert), 0) AS certs, sum(cost_minor) AS cost
        FROM b GROUP BY id, local_day, local_hour, location_id, terminal_id, cashier_id, s_gross, s_discount,
                        s_total, change_minor),
    daily AS (
        INSERT INTO report_daily AS r (day, location_id, terminal_id, cashier_id, receipts, lines, items_milli,
                                       gross, discount, sales, certificates, cost)
        SELECT local_day, location_id, terminal_id, cashier_id, count(*), sum(lines), sum(items), sum(s_gross),
               sum(s_discount), sum(s_total), sum(certs), sum(cost)
        FROM per_sale GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (day, location_id, terminal_id, cashier_id) DO UPDATE SET
            receipts = r.receipts + EXCLUDED.receipts, lines = r.lines + EXCLUDED.lines,
            items_milli = r.items_milli + EXCLUDED.items_milli, gross = r.gross + EXCLUDED.gross,
            discount = r.discount + EXCLUDED.discount, sales = r.sales + EXCLUDED.sales,
            certificates = r.certificates + EXCLUDED.certificates, cost = r.cost + EXCLUDED.cost
        RETURNING 1),
    vat AS (
        INSERT INTO report_daily_vat AS r (day, location_id, terminal_id, cashier_id, vat, sales, sales_vat)
        SELECT local_day, location_id, terminal_id, cashier_id, vat, sum(total_minor), sum(vat_minor)
        FROM b GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (day, location_id, terminal_id, cashier_id, vat) DO UPDATE SET
            sales = r.sales + EXCLUDED.sales, sales_vat = r.sales_vat + EXCLUDED.sales_vat
        RETURNING 1),
    product AS (
        INSERT INTO report_daily_product AS r (day, location_id, product_id, lines, qty_milli, gross, discount, sales, cost)
        SELECT local_day, location_id, product_id, count(*), sum(qty_milli), sum(gross_minor), sum(discount_minor),
               sum(total_minor), sum(cost_minor)
        FROM b WHERE NOT cert GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, location_id, product_id) DO UPDATE SET
            lines = r.lines + EXCLUDED.lines, qty_milli = r.qty_milli + EXCLUDED.qty_milli,
            gross = r.gross + EXCLUDED.gross, discount = r.discount + EXCLUDED.discount,
            sales = r.sales + EXCLUDED.sales, cost = r.cost + EXCLUDED.cost
        RETURNING 1),
    hourly AS (
        INSERT INTO report_hourly AS r (day, location_id, hour, receipts, sales)
        SELECT local_day, location_id, local_hour, count(*), sum(s_total)
        FROM per_sale GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (day, location_id, hour) DO UPDATE SET
            receipts = r.receipts + EXCLUDED.receipts, sales = r.sales + EXCLUDED.sales
        RETURNING 1)
    INSERT INTO report_daily_tender AS r (day, location_id, terminal_id, cashier_id, tender, payments, sales)
    SELECT s.local_day, s.location_id, s.terminal_id, s.cashier_id, p.tender, sum(p.n),
           sum(p.amount - CASE WHEN p.tender = 'cash' THEN s.change_minor ELSE 0 END)
    FROM (SELECT sale_id, tender, count(*) AS n, sum(amount_minor) AS amount
          FROM sale_payments WHERE sale_id = ANY(ids) GROUP BY 1, 2) p
    JOIN per_sale s ON s.id = p.sale_id
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, location_id, terminal_id, cashier_id, tender) DO UPDATE SET
        payments = r.payments + EXCLUDED.payments, sales = r.sales + EXCLUDED.sales;
$$;

CREATE OR REPLACE FUNCTION report_add_monthly(sale_ids uuid[], return_ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO report_monthly_product AS r (month, product_id, lines, qty_milli, gross, discount, sales, cost,
                                             returned_qty, returned, returned_cost)
    SELECT month, product_id, sum(lines), sum(qty), sum(gross), sum(discount), sum(sales), sum(cost),
           sum(rqty), sum(returned), sum(rcost)
    FROM (
        SELECT date_trunc('month', s.local_day)::date AS month, l.product_id, 1 AS lines, l.qty_milli AS qty,
               l.gross_minor AS gross, l.discount_minor AS discount, l.total_minor AS sales, l.cost_minor AS cost,
               0 AS rqty, 0 AS returned, 0 AS rcost
        FROM sales s JOIN sale_lines l ON l.sale_id = s.id AND l.local_day = s.local_day
        WHERE s.id = ANY(sale_ids) AND l.certificate IS NULL
        UNION ALL
        SELECT date_trunc('month', x.local_day)::date, rl.product_id, 0, 0, 0, 0, 0, 0,
               rl.qty_milli, rl.amount_minor, rl.cost_minor
        FROM sale_returns x JOIN sale_return_lines rl ON rl.return_id = x.id
        WHERE x.id = ANY(return_ids)
    ) u
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (month, product_id) DO UPDATE SET
        lines = r.lines + EXCLUDED.lines, qty_milli = r.qty_milli + EXCLUDED.qty_milli,
        gross = r.gross + EXCLUDED.gross, discount = r.discount + EXCLUDED.discount,
        sales = r.sales + EXCLUDED.sales, cost = r.cost + EXCLUDED.cost,
        returned_qty = r.returned_qty + EXCLUDED.returned_qty, returned = r.returned + EXCLUDED.returned,
        returned_cost = r.returned_cost + EXCLUDED.returned_cost;
$$;
