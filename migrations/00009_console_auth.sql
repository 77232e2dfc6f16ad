-- +goose Up

-- Console second factor (RFC 6238 TOTP). totp_secret is set once a user
-- confirmed a code from their app; totp_pending_secret is the secret shown
-- during enrolment until then. totp_last_step is the time step of the last
-- code accepted, so the same code is good only once.
ALTER TABLE agents
    ADD COLUMN totp_secret         text,
    ADD COLUMN totp_pending_secret text,
    ADD COLUMN totp_last_step      bigint NOT NULL DEFAULT 0;

-- A sign-in whose password was right and that waits for the second factor
-- (or for enrolment). The cookie carries a random token; only its SHA-256
-- hash is stored. Kept in PostgreSQL so any server process can finish it.
CREATE TABLE console_pending_logins (
    token_hash bytea PRIMARY KEY,
    agent_id   uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE INDEX console_pending_logins_expiry ON console_pending_logins (expires_at);

-- Sign-in attempts per network address in a fixed window, counted with one
-- atomic upsert, so every server process sees the same count.
CREATE TABLE console_login_addresses (
    address      text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    attempts     int NOT NULL
);

-- +goose Down
DROP TABLE console_login_addresses, console_pending_logins;
ALTER TABLE agents DROP COLUMN totp_last_step, DROP COLUMN totp_pending_secret, DROP COLUMN totp_secret;
