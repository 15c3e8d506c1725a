-- Low stock: the minimum a location should hold of a product. Below it, the product is on
-- the low-stock report (and the web admin's dashboard) until goods arrive.
CREATE TABLE stock_thresholds (
    location_id   uuid NOT NULL REFERENCES locations (id),
    product_id    uuid NOT NULL REFERENCES products (id),
    min_qty_milli bigint NOT NULL CHECK (min_qty_milli > 0),
    updated_by    uuid REFERENCES users (id),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (location_id, product_id)
);
CREATE INDEX stock_thresholds_product ON stock_thresholds (product_id);

-- The movements report reads one store's movements over a period.
CREATE INDEX inventory_movements_location_time ON inventory_movements (location_id, created_at);
