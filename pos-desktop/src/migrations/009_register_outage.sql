-- A register out of order. A manager declares it; sales go on, their fiscal tasks wait
-- as `deferred` (they hold up nothing), and once the register is back each one that the
-- register never signed gets a correction receipt (`correction` = 1). CHECKs cannot be
-- altered in SQLite, so the table is rebuilt with the new state.
CREATE TABLE fiscal_tasks_new (
    doc_id     TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('sale', 'return', 'shift_open', 'shift_close')),
    task_id    TEXT NOT NULL UNIQUE,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'deferred', 'done')),
    receipt    TEXT,
    created_at TEXT NOT NULL,
    done_at    TEXT,
    fiscal     TEXT,
    last_error TEXT,
    last_code  TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    correction INTEGER NOT NULL DEFAULT 0 CHECK (correction IN (0, 1)),
    PRIMARY KEY (doc_id, kind)
) STRICT;
INSERT INTO fiscal_tasks_new
    (doc_id, kind, task_id, state, receipt, created_at, done_at, fiscal, last_error, last_code, attempts)
SELECT doc_id, kind, task_id, state, receipt, created_at, done_at, fiscal, last_error, last_code, attempts
FROM fiscal_tasks;
DROP TABLE fiscal_tasks;
ALTER TABLE fiscal_tasks_new RENAME TO fiscal_tasks;
CREATE INDEX fiscal_tasks_pending ON fiscal_tasks (created_at) WHERE state = 'pending';
