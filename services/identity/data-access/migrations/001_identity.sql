-- Accounts: the credential side of a user; the profile lives in the users service.
CREATE TABLE accounts (
  id UUID PRIMARY KEY,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  roles JSONB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'locked')),
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TIMESTAMPTZ,
  deactivated_reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT accounts_email_key UNIQUE (email_key)
);

-- Refresh tokens, stored as a digest. Each login starts a family; each refresh uses one token
-- and adds the next to the family. Presenting a used token again revokes the whole family.
CREATE TABLE refresh_tokens (
  digest TEXT PRIMARY KEY,
  family_id UUID NOT NULL,
  account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account_idx ON refresh_tokens (account_id);

-- API keys, stored as a digest; the key itself is shown once.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  digest TEXT NOT NULL,
  scopes JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_used_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_account_idx ON api_keys (account_id);
