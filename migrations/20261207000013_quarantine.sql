-- Facts a till sent that failed head office's money checks (shared_model::facts): stored
-- (the till's queue never jams) but given no effect on certificates, stock, rollups or
-- reports until a person accepts (the effects then apply) or rejects them.
CREATE TABLE quarantine (
    event_id     uuid PRIMARY KEY REFERENCES till_events (event_id),
    terminal_id  uuid NOT NULL REFERENCES terminals (id),
    location_id  uuid NOT NULL REFERENCES locations (id),
    kind         text NOT NULL CHECK (kind IN ('sale_completed', 'return_completed')),
    document_id  uuid NOT NULL,
    receipt_no   bigint NOT NULL,
    total_minor  bigint NOT NULL,
    problems     text[] NOT NULL,
    acceptable   boolean NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    at           timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolved_by  uuid REFERENCES users (id),
    note         text
);
CREATE INDEX quarantine_pending ON quarantine (at) WHERE status = 'pending';
CREATE INDEX quarantine_document ON quarantine (document_id);

-- A return is linked to the sale it returns. Deferred: a batch stores its returns'
-- sale rows in the same transaction. NOT VALID keeps older rows as they are.
ALTER TABLE sale_returns ADD CONSTRAINT sale_returns_sale_fk
    FOREIGN KEY (sale_id) REFERENCES sales (id) DEFERRABLE INITIALLY DEFERRED NOT VALID;
