import { createHash } from "node:crypto";
import type { ICache } from "../../adapters/core/index.js";

/**
 * The access tokens the gateway got for API keys, shared by every gateway instance through
 * `ICache`. An entry is found by the key's public id (`tfk_<id>_<secret>`), so that a
 * revocation, which names only that id, can replace it with a mark that the key is revoked;
 * it holds a digest of the full key, never the key, and is used only when the presented key
 * has the same digest.
 */
export interface ApiKeyTokens {
  /** The cached token for this exact key, if any. */
  get(apiKey: string): Promise<string | undefined>;
  /** Caches the token unless the key was revoked meanwhile. */
  set(apiKey: string, token: string, ttlMs: number): Promise<void>;
  /** Drops the token of the key with this public id and keeps it from being cached again. */
  revoke(keyId: string): Promise<void>;
}

type Entry = { readonly digest: string; readonly token: string } | { readonly revoked: true };

/**
 * How long a revocation is remembered: longer than any exchange can still be in flight, so a
 * token that identity issued just before the revocation cannot be cached just after it.
 */
const REVOCATION_MEMORY_MS = 5 * 60_000;

/** The public id of a key shaped like identity's (`tfk_<12 letters or digits>_<secret>`). */
export function apiKeyId(apiKey: string): string | undefined {
  return /^tfk_([A-Za-z0-9]{12})_[A-Za-z0-9_-]+$/.exec(apiKey)?.[1];
}

const digestOf = (apiKey: string) => createHash("sha256").update(apiKey).digest("base64url");

export function createApiKeyTokens(cache: ICache): ApiKeyTokens {
  const entries = cache.withNamespace(`${cache.namespace}.apikey-tokens`);
  return {
    async get(apiKey) {
      const id = apiKeyId(apiKey);
      if (id === undefined) return undefined;
      const entry = await entries.get<Entry>(id);
      return entry && "digest" in entry && entry.digest === digestOf(apiKey) ? entry.token : undefined;
    },
    async set(apiKey, token, ttlMs) {
      const id = apiKeyId(apiKey);
      // A key not shaped like ours is refused by identity anyway; nothing to cache it under.
      if (id === undefined || ttlMs <= 0) return;
      const entry: Entry = { digest: digestOf(apiKey), token };
      if (await entries.setIfAbsent(id, entry, { ttlMs })) return;
      // Replaces a token that no longer verifies, never a revocation.
      const current = await entries.get<Entry>(id);
      if (current && "revoked" in current) return;
      await entries.set(id, entry, { ttlMs });
    },
    revoke: (keyId) => entries.set<Entry>(keyId, { revoked: true }, { ttlMs: REVOCATION_MEMORY_MS }),
  };
}
