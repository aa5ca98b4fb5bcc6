import { createHash } from "node:crypto";
import type { ICache } from "../../adapters/core/index.js";
import type { CallerIdentity, IdentitySource } from "../kernel/auth/caller.js";

/**
 * Who is calling. The gateway accepts two credentials, a signed access token
 * (`Authorization: Bearer`, checked by the kernel's JWT identity source) and an API key
 * (`X-API-Key`), and forwards only one kind: an API key is exchanged at identity for a
 * short-lived token limited to the key's scopes, cached until shortly before it expires.
 */
export interface Caller extends CallerIdentity {
  /** The access token to forward upstream. */
  readonly token: string;
}

/** Calls identity to exchange an API key; the token and its lifetime, or undefined when refused. */
export type ApiKeyExchange = (apiKey: string) => Promise<{ accessToken: string; expiresIn: number } | undefined>;

/**
 * Resolves the caller: `undefined` without credentials, throws `UnauthorizedError` for bad
 * ones. API-key tokens are cached under a digest of the key, never the key itself, so a
 * revoked key keeps working until its cached token expires (at most 5 minutes).
 */
export function createCallerResolver(verify: IdentitySource, exchange: ApiKeyExchange, cache: ICache) {
  const tokens = cache.withNamespace(`${cache.namespace}.apikey-token`);
  const withToken = async (token: string): Promise<Caller | undefined> => {
    const identity = await verify({ authorization: `Bearer ${token}` });
    return identity && { ...identity, token };
  };
  return async (headers: { authorization?: string; apiKey?: string }): Promise<Caller | undefined> => {
    if (headers.authorization !== undefined) {
      const identity = await verify({ authorization: headers.authorization });
      return identity && { ...identity, token: headers.authorization.replace(/^Bearer\s+/i, "") };
    }
    if (headers.apiKey === undefined) return undefined;
    const digest = createHash("sha256").update(headers.apiKey).digest("base64url");
    const cached = await tokens.get<string>(digest);
    if (cached !== undefined) {
      const caller = await withToken(cached).catch(() => undefined);
      if (caller) return caller;
    }
    const exchanged = await exchange(headers.apiKey);
    if (!exchanged) return undefined;
    const ttlMs = (exchanged.expiresIn - 30) * 1000;
    if (ttlMs > 0) await tokens.set(digest, exchanged.accessToken, { ttlMs });
    return withToken(exchanged.accessToken);
  };
}

export type CallerResolver = ReturnType<typeof createCallerResolver>;
