-- The sales rollups in one statement that reads the batch's sales and lines once
-- (before: five statements, each joining them again); the monthly goods rollup joins it.
CREATE OR REPLACE FUNCTION report_add_sales(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    WITH b AS MATERIALIZED (
        SELECT s.id, s.local_day, s.local_hour, s.location_id, s.terminal_id, s.cashier_id, s.gross_minor AS s_gross,
               s.discount_minor AS s_discount, s.total_minor AS s_total, s.change_minor,
               l.line_no, l.product_id, l.qty_milli, l.gross_minor, l.discount_minor, l.total_minor, l.vat, l.vat_minor,
               l.cost_minor, l.certificate IS NOT NULL AS cert
        FROM sales s JOIN sale_lines l ON l.sale_id = s.id
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
