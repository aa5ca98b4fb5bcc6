import { createHash } from "node:crypto";
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { ICache } from "../../adapters/core/index.js";

/**
 * Who is calling. The gateway accepts two credentials, a signed access token
 * (`Authorization: Bearer`) and an API key (`X-API-Key`), and forwards only one kind: an API
 * key is exchanged at identity for a short-lived token limited to the key's scopes, and that
 * token is cached until shortly before it expires.
 */
export interface Caller {
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly string[];
  /** Present for API-key tokens: what the key may do. */
  readonly scopes?: readonly string[];
  /** The token to forward upstream. */
  readonly token: string;
}

export type CallerResult = { ok: true; caller: Caller } | { ok: false; reason: string };

export interface TokenVerifierOptions {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
}

/** Verifies an access token against the identity service's JWKS (fetched once, refreshed on an unknown `kid`). */
export function createTokenVerifier(
  options: TokenVerifierOptions,
  keys: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: 30_000,
    cacheMaxAge: 600_000,
  }),
) {
  return async (token: string): Promise<CallerResult> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ["ES256", "RS256"],
        requiredClaims: ["sub", "exp"],
      }));
    } catch (error) {
      return { ok: false, reason: `invalid access token (${(error as { code?: string }).code ?? "rejected"})` };
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
    const scope = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : undefined;
    return {
      ok: true,
      caller: {
        userId: payload.sub!,
        email: typeof payload.email === "string" ? payload.email : "",
        roles,
        ...(scope ? { scopes: scope } : {}),
        token,
      },
    };
  };
}

export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/** Calls identity to exchange an API key; resolves to the token and its lifetime, or undefined when refused. */
export type ApiKeyExchange = (apiKey: string) => Promise<{ accessToken: string; expiresIn: number } | undefined>;

/**
 * Resolves the caller from request headers. API-key tokens are cached under a digest of the
 * key (never the key itself), until 30 s before they expire.
 */
export function createCallerResolver(verify: TokenVerifier, exchange: ApiKeyExchange, cache: ICache) {
  const tokens = cache.withNamespace(`${cache.namespace}.apikey-token`);
  return async (headers: { authorization?: string; apiKey?: string }): Promise<CallerResult | undefined> => {
    if (headers.authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization);
      if (!match) return { ok: false, reason: "Authorization must be 'Bearer <token>'" };
      return verify(match[1]!);
    }
    if (headers.apiKey !== undefined) {
      const digest = createHash("sha256").update(headers.apiKey).digest("base64url");
      const cached = await tokens.get<string>(digest);
      if (cached !== undefined) {
        const result = await verify(cached);
        if (result.ok) return result;
      }
      const exchanged = await exchange(headers.apiKey);
      if (!exchanged) return { ok: false, reason: "invalid or revoked API key" };
      const ttlMs = (exchanged.expiresIn - 30) * 1000;
      if (ttlMs > 0) await tokens.set(digest, exchanged.accessToken, { ttlMs });
      return verify(exchanged.accessToken);
    }
    return undefined;
  };
}
