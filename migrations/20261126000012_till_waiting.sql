-- The newest event a till said it holds at its last push: with the acknowledged sequence,
-- how many of its events head office still waits for (the sync-health report).
ALTER TABLE terminal_sync ADD COLUMN till_newest_seq bigint;
