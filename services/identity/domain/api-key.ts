import { randomBytes } from "node:crypto";
import { digestSecret, randomSecret } from "./tokens.js";

/**
 * API keys look like `tfk_<id>_<secret>`: the id finds the row, the secret is checked against
 * its stored digest. The full key is returned once, at creation.
 */

/** What an API key may be granted; each names a service and read or write. */
export const API_KEY_SCOPES = [
  "tasks:read",
  "tasks:write",
  "users:read",
  "users:write",
  "notifications:read",
  "notifications:write",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Short-lived on purpose: the gateway exchanges a key for one of these and caches it. */
export const API_KEY_TOKEN_TTL_SECONDS = 300;

const PREFIX = "tfk";

/**
 * Published on `identity-events` when a key is revoked, so the gateway forgets the token it
 * cached for the key at once instead of when it expires. Carries the key's public id and its
 * account, never the secret or its digest.
 */
export const API_KEY_REVOKED = "api-key-revoked";

export const apiKeyRevokedData = (keyId: string, userId: string) => ({ keyId, userId });

export interface NewApiKey {
  readonly id: string;
  readonly key: string;
  readonly digest: string;
}

export function createApiKeySecret(): NewApiKey {
  const id = randomBytes(9).toString("base64url").replace(/[-_]/g, "x");
  const secret = randomSecret();
  return { id, key: `${PREFIX}_${id}_${secret}`, digest: digestSecret(secret) };
}

/** Splits a presented key; `undefined` when it is not shaped like one of ours. */
export function parseApiKey(key: string): { id: string; digest: string } | undefined {
  const match = /^tfk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/.exec(key);
  if (!match) return undefined;
  return { id: match[1]!, digest: digestSecret(match[2]!) };
}
