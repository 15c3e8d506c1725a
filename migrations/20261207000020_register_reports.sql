-- Each fiscal till's register as the till last saw it (`POST /sync/register`): head
-- office lists registers by health (ФН expiry, documents unsent to the ОФД, shift age,
-- receipts waiting) and the dashboard raises those that need someone.
CREATE TABLE register_reports (
    terminal_id uuid PRIMARY KEY REFERENCES terminals (id),
    reported_at timestamptz NOT NULL,
    status      jsonb,                  -- shared_model::fiscal::health::RegisterStatus
    error       text,
    pending     integer NOT NULL CHECK (pending >= 0),
    deferred    integer NOT NULL CHECK (deferred >= 0),
    outage      text
);
