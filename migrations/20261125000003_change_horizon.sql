-- How far the change feed has been pruned: a till whose cursor is behind this point
-- missed changes that no longer exist and must take a fresh snapshot.
CREATE TABLE change_log_horizon (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    txid     xid8 NOT NULL,
    id       bigint NOT NULL
);

-- Store settings (name, time zone) travel to the store's tills through the feed too.
CREATE OR REPLACE FUNCTION log_location_change() RETURNS trigger LANGUAGE plpgsql SET search_path = alaroma, pg_temp AS $$
BEGIN
    INSERT INTO change_log (entity, entity_id, location_id) VALUES ('store', NEW.id, NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER locations_changes AFTER INSERT OR UPDATE ON locations FOR EACH ROW EXECUTE FUNCTION log_location_change();
