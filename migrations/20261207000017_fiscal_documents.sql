-- The fiscal register's answer for each till document (a `fiscal_document` event, event
-- schema 2): head office shows it per sale and lists sales still without one.
CREATE TABLE fiscal_documents (
    terminal_id   uuid NOT NULL REFERENCES terminals (id),
    doc_id        uuid NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('sale', 'return', 'shift_open', 'shift_close')),
    task_id       uuid NOT NULL,
    number        bigint NOT NULL CHECK (number > 0),
    sign          text NOT NULL,
    fiscal_at     timestamptz NOT NULL,
    fn_serial     text NOT NULL,
    registration  text NOT NULL,
    shift_no      integer NOT NULL,
    receipt_no    integer NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (terminal_id, doc_id)
);
CREATE INDEX fiscal_documents_doc ON fiscal_documents (doc_id);
