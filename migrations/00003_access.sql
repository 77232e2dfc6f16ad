-- +goose Up

-- Magic links: one row per issued token (its jti). Revocation and the
-- second-factor lockout live here so they hold across server processes.
CREATE TABLE links (
    jti             uuid PRIMARY KEY,
    creditor_id     uuid NOT NULL REFERENCES creditors (id),
    debtor_id       uuid NOT NULL REFERENCES debtors (id),
    channel         text NOT NULL CHECK (channel IN ('letter', 'sms', 'email')),
    issued_at       timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    failed_attempts int NOT NULL DEFAULT 0,
    locked_until    timestamptz
);
CREATE INDEX links_debtor ON links (debtor_id);

-- Server-side sessions for debtors and console users. The cookie carries a
-- random token; only its SHA-256 hash is stored.
CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('debtor', 'agent')),
    debtor_id    uuid REFERENCES debtors (id),
    creditor_id  uuid REFERENCES creditors (id),
    link_jti     uuid REFERENCES links (jti),
    agent_id     uuid,
    language     text NOT NULL DEFAULT 'nl',
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- A small key-value store with expiry behind Fiber's storage interface, so the
-- CSRF tokens and rate-limit counters are shared by every server process.
CREATE TABLE kv_store (
    key        text PRIMARY KEY,
    value      bytea NOT NULL,
    expires_at timestamptz
);

-- +goose Down
DROP TABLE kv_store, sessions, links;
