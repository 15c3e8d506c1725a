-- Login sessions (refresh-token families) in PostgreSQL, where no cache eviction can
-- drop a revocation: every request checks its session here with the user row. A session
-- lives at most 7 days from login however often it is refreshed; a password change or
-- reset, a role change or deactivation ends every session of that user at once.
CREATE TABLE sessions (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE revoked_at IS NULL;

-- Families issued before this migration become sessions that end when their tokens do.
INSERT INTO sessions (id, user_id, started_at, expires_at, revoked_at)
SELECT family_id, min(user_id::text)::uuid, min(created_at), max(expires_at),
       CASE WHEN bool_and(revoked_at IS NOT NULL) THEN max(revoked_at) END
FROM refresh_tokens GROUP BY family_id
ON CONFLICT DO NOTHING;
