-- Promotions travel to tills through the change feed (chain-wide; store conditions are
-- evaluated on the till by the same engine).
CREATE OR REPLACE FUNCTION log_promotion_change() RETURNS trigger LANGUAGE plpgsql SET search_path = alaroma, pg_temp AS $$
BEGIN
    INSERT INTO change_log (entity, entity_id) VALUES ('promotion', NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER promotions_changes AFTER INSERT OR UPDATE ON promotions FOR EACH ROW EXECUTE FUNCTION log_promotion_change();
