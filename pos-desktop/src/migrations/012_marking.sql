-- Marked goods (Честный ЗНАК): groups with their dates as head office sets them, a
-- product's group, and each marked unit's code on its cart, sale and return line. A code
-- this till sold and did not take back is found by `mark_id` (GTIN + serial).
CREATE TABLE marking_groups (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    code_from   TEXT NOT NULL,          -- YYYY-MM-DD
    permit_from TEXT,                   -- YYYY-MM-DD, or none
    no_answer   TEXT NOT NULL CHECK (no_answer IN ('block', 'sell_flagged'))
) STRICT;
ALTER TABLE products ADD COLUMN marking_group TEXT;
ALTER TABLE cart_lines ADD COLUMN mark TEXT;      -- JSON SoldMark
ALTER TABLE cart_lines ADD COLUMN mark_id TEXT;
ALTER TABLE sale_lines ADD COLUMN mark TEXT;      -- JSON SoldMark
ALTER TABLE sale_lines ADD COLUMN mark_id TEXT;
ALTER TABLE return_lines ADD COLUMN mark TEXT;    -- the code, GS1
ALTER TABLE return_lines ADD COLUMN mark_id TEXT;
CREATE INDEX sale_lines_mark ON sale_lines (mark_id) WHERE mark_id IS NOT NULL;
CREATE INDEX return_lines_mark ON return_lines (mark_id) WHERE mark_id IS NOT NULL;
