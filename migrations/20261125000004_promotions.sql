-- Promotions: the definition is the shared engine's own types as JSON, so the server and
-- every till evaluate exactly the same rules. Each change bumps the version sales record.
CREATE TABLE promotions (
    id          uuid PRIMARY KEY,
    version     integer NOT NULL DEFAULT 1,
    name        text NOT NULL,
    priority    integer NOT NULL DEFAULT 0,
    exclusive   boolean NOT NULL DEFAULT false,
    target      jsonb NOT NULL,
    kind        jsonb NOT NULL,
    conditions  jsonb NOT NULL,
    active      boolean NOT NULL DEFAULT true,
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX promotions_active ON promotions (active);
