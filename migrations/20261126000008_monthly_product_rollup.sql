-- Goods by month for the whole chain: rankings and margins over a quarter or a year
-- read a few thousand rows per month instead of every store's every day. Whole months
-- of a period come from here, its ragged edges from report_daily_product.
CREATE TABLE report_monthly_product (
    month         date NOT NULL,              -- first day of the store-local month
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
    PRIMARY KEY (month, product_id)
);

CREATE FUNCTION report_add_monthly(sale_ids uuid[], return_ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO report_monthly_product AS r (month, product_id, lines, qty_milli, gross, discount, sales, cost,
                                             returned_qty, returned, returned_cost)
    SELECT month, product_id, sum(lines), sum(qty), sum(gross), sum(discount), sum(sales), sum(cost),
           sum(rqty), sum(returned), sum(rcost)
    FROM (
        SELECT date_trunc('month', s.local_day)::date AS month, l.product_id, 1 AS lines, l.qty_milli AS qty,
               l.gross_minor AS gross, l.discount_minor AS discount, l.total_minor AS sales, l.cost_minor AS cost,
               0 AS rqty, 0 AS returned, 0 AS rcost
        FROM sales s JOIN sale_lines l ON l.sale_id = s.id
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

INSERT INTO report_monthly_product (month, product_id, lines, qty_milli, gross, discount, sales, cost,
                                    returned_qty, returned, returned_cost)
SELECT date_trunc('month', day)::date, product_id, sum(lines), sum(qty_milli), sum(gross), sum(discount),
       sum(sales), sum(cost), sum(returned_qty), sum(returned), sum(returned_cost)
FROM report_daily_product GROUP BY 1, 2;
