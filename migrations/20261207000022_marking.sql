-- Marked goods (Честный ЗНАК). Groups with their dates, set by head office and sent to
-- tills; a product's group; and the registry of every unit sold with its code: which
-- sale, store and till sold it, its permit check, and the return that took it back.
CREATE TABLE marking_groups (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z][a-z0-9_]{1,31}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    code_from   date NOT NULL,
    permit_from date,
    no_answer   text NOT NULL CHECK (no_answer IN ('block', 'sell_flagged')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO marking_groups (code, name, code_from, permit_from, no_answer) VALUES
    ('perfume', 'Духи и туалетная вода', '2020-10-01', '2024-11-01', 'sell_flagged'),
    ('cosmetics', 'Косметика и бытовая химия', '2025-10-01', NULL, 'sell_flagged');

CREATE FUNCTION log_marking_group() RETURNS trigger LANGUAGE plpgsql SET search_path = alaroma, pg_temp AS $$
BEGIN
    INSERT INTO change_log (entity, entity_id) VALUES ('marking_group', NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER marking_groups_changes AFTER INSERT OR UPDATE ON marking_groups
    FOR EACH ROW EXECUTE FUNCTION log_marking_group();

ALTER TABLE products ADD COLUMN marking_group text REFERENCES marking_groups (code);

CREATE TABLE marked_units (
    sale_id         uuid NOT NULL REFERENCES sales (id),
    line_no         integer NOT NULL,
    identity        text NOT NULL,         -- (01) GTIN + (21) serial
    code            text NOT NULL,         -- the whole code, GS1
    product_id      uuid NOT NULL,
    location_id     uuid NOT NULL,
    terminal_id     uuid NOT NULL,
    sold_at         timestamptz NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('permitted', 'not_required', 'unchecked')),
    source          text,
    req_id          text,
    req_timestamp   bigint,
    return_id       uuid,
    returned_at     timestamptz,
    return_location uuid,
    PRIMARY KEY (sale_id, line_no)
);
CREATE INDEX marked_units_identity ON marked_units (identity);
CREATE INDEX marked_units_sold_at ON marked_units (sold_at);
