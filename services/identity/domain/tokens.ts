import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import type { SigningKey } from "./signing-key.js";

export type Role = "user" | "admin";

/** The claims every service's verifier reads (services/kernel). */
export interface AccessClaims {
  readonly sub: string;
  readonly email: string;
  readonly roles: readonly Role[];
  /** Space-separated; present on tokens issued for an API key, which are limited to it. */
  readonly scope?: string;
}

/**
 * What a token belongs to, so that ending it ends the token too: a sign-in's session (the
 * refresh-token family, claim `sid`) or an API key (claim `key_id`). Verifiers refuse a token
 * whose session or key is on identity's revocation list (`kernel/auth/revocations.ts`).
 */
export type TokenOwner = { readonly sessionId: string } | { readonly apiKeyId: string };

export interface TokenSettings {
  readonly issuer: string;
  readonly audience: string;
  /** @default 900 (15 minutes) */
  readonly accessTtlSeconds?: number;
  /** @default 2_592_000 (30 days) */
  readonly refreshTtlSeconds?: number;
}

export const DEFAULT_ACCESS_TTL_SECONDS = 900;
export const DEFAULT_REFRESH_TTL_SECONDS = 30 * 24 * 3600;

export async function signAccessToken(
  key: SigningKey,
  settings: TokenSettings,
  claims: AccessClaims & TokenOwner,
  ttlSeconds = settings.accessTtlSeconds ?? DEFAULT_ACCESS_TTL_SECONDS,
): Promise<string> {
  const payload: Record<string, unknown> = { email: claims.email, roles: [...claims.roles] };
  if (claims.scope !== undefined) payload.scope = claims.scope;
  if ("sessionId" in claims) payload.sid = claims.sessionId;
  else payload.key_id = claims.apiKeyId;
  // One clock reading for both: read twice, a second could turn between them and stretch the lifetime by one.
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAt)
    .setJti(randomUUID())
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key.privateKey);
}

/**
 * Opaque high-entropy secrets (refresh tokens, API keys) are stored as a SHA-256 digest: a
 * slow hash buys nothing against 256 random bits, and a leaked table reveals no usable token.
 */
export function digestSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
