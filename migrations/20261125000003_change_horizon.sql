-- How far the change feed has been pruned: a till whose cursor is behind this point
-- missed changes that no longer exist and must take a fresh snapshot.
CREATE TABLE change_log_horizon (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    txid     xid8 NOT NULL,
    id       bigint NOT NULL
);
