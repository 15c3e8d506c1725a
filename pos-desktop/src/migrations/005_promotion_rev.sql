-- A revision of the promotions table, bumped by every change to it, so the till can keep
-- the parsed promotions in memory between scans and re-read them only when they change.
INSERT INTO counters (name, value) VALUES ('promotions_rev', 0);
CREATE TRIGGER promotions_rev_insert AFTER INSERT ON promotions
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'promotions_rev'; END;
CREATE TRIGGER promotions_rev_update AFTER UPDATE ON promotions
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'promotions_rev'; END;
CREATE TRIGGER promotions_rev_delete AFTER DELETE ON promotions
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'promotions_rev'; END;
