-- Fiscal receipts (54-FZ). Each sale or return that needs one gets a task here in the
-- transaction that completes it (state `pending`: awaiting its fiscal receipt); the
-- register's answer makes it `done`. The task uuid starts as the document's id; only a
-- register's definite refusal (nothing printed) gives a retry a new one, so a timeout or
-- a crash is always resolved by asking the register for the uuid it may have executed.
CREATE TABLE fiscal_tasks (
    doc_id     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'shift_open', 'shift_close')),
    task_id    TEXT NOT NULL UNIQUE,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    receipt    TEXT,            -- the FiscalReceipt asked for (JSON), for receipts
    created_at TEXT NOT NULL,
    done_at    TEXT,
    fiscal     TEXT,            -- the register's FiscalDoc (JSON)
    last_error TEXT,            -- why the last try did not settle it, for people
    last_code  TEXT,            -- and as RegisterError::code, for the window's words
    attempts   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (doc_id, kind)
) STRICT;
CREATE INDEX fiscal_tasks_pending ON fiscal_tasks (created_at) WHERE state = 'pending';
