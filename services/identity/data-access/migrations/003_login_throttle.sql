-- Failed sign-ins per normalised email and client address (identity/domain/lockout.ts). Kept
-- for emails without an account too, so the answers cannot tell which emails exist; the
-- per-account lock columns of accounts are no longer used.
CREATE TABLE login_throttle (
  email_key TEXT NOT NULL,
  client TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_failure_at TIMESTAMPTZ,
  PRIMARY KEY (email_key, client)
);
CREATE INDEX login_throttle_last_failure_idx ON login_throttle (last_failure_at);
