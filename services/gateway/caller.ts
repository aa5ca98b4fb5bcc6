import type { ICache } from "../../adapters/core/index.js";
import type { CallerIdentity, IdentitySource } from "../kernel/auth/caller.js";
import { createApiKeyTokens } from "./api-key-tokens.js";

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
 * ones. API-key tokens are cached by the key's public id with a digest of the key, never the
 * key itself (`api-key-tokens.ts`). Revoking a key publishes `api-key-revoked`, on which the
 * gateway's consumer (`revocations.ts`) drops the entry, so the next request exchanges the key
 * again and is refused: a revoked key stops working as soon as the event arrives, not when the
 * cached token expires.
 */
export function createCallerResolver(verify: IdentitySource, exchange: ApiKeyExchange, cache: ICache) {
  const tokens = createApiKeyTokens(cache);
  // Every request goes through `verify`: it remembers verified signatures itself, and checks
  // the revocation list each time, so a session that ends is refused from the next poll on.
  const withToken = async (token: string): Promise<Caller | undefined> => {
    const identity = await verify({ authorization: `Bearer ${token}` });
    return identity && { ...identity, token };
  };
  return async (headers: { authorization?: string; apiKey?: string }): Promise<Caller | undefined> => {
    if (headers.authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization);
      if (!match) return verify({ authorization: headers.authorization }).then(() => undefined);
      return withToken(match[1]!);
    }
    if (headers.apiKey === undefined) return undefined;
    const cached = await tokens.get(headers.apiKey);
    if (cached !== undefined) {
      const caller = await withToken(cached).catch(() => undefined);
      if (caller) return caller;
    }
    const exchanged = await exchange(headers.apiKey);
    if (!exchanged) return undefined;
    await tokens.set(headers.apiKey, exchanged.accessToken, (exchanged.expiresIn - 30) * 1000);
    return withToken(exchanged.accessToken);
  };
}

export type CallerResolver = ReturnType<typeof createCallerResolver>;
