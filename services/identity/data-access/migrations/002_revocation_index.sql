-- The revocation list that every verifier polls reads what was revoked in the last minutes;
-- these keep that read small however many sessions and keys were ever revoked.
CREATE INDEX refresh_tokens_revoked_idx ON refresh_tokens (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX api_keys_revoked_idx ON api_keys (revoked_at) WHERE revoked_at IS NOT NULL;
