import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { UnauthorizedError } from "../errors.js";
import type { RevocationCheck } from "./revocations.js";

/**
 * Who is calling, as every service sees it. Where it comes from is pluggable: a verified JWT
 * access token in production, a development header in local mode only.
 */
export interface CallerIdentity {
  /** The user's id (`sub`). */
  readonly userId: string;
  readonly email?: string;
  /** ["user"] or ["user", "admin"]. */
  readonly roles: readonly string[];
  /** What an API-key token may do ("tasks:read", ...); undefined for a full user token. */
  readonly scopes?: readonly string[];
  /** The sign-in session the token belongs to (claim `sid`); ending the session ends the token. */
  readonly sessionId?: string;
  /** The API key the token was exchanged for (claim `key_id`); revoking the key ends the token. */
  readonly apiKeyId?: string;
  /** How the identity was established; "anonymous" only on routes declared `auth: false`. */
  readonly via: "jwt" | "dev-header" | "anonymous";
}

/** The caller of a public route (`auth: false`): no user id, no roles. */
export const ANONYMOUS: CallerIdentity = Object.freeze({ userId: "", roles: [], via: "anonymous" });

/** The headers an identity source reads (lower-case names, as node gives them). */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Resolves the caller from request headers: `undefined` when the request carries no
 * credentials, throws `UnauthorizedError` when it carries bad ones.
 */
export type IdentitySource = (headers: RequestHeaders) => Promise<CallerIdentity | undefined>;

export interface JwtIdentityOptions {
  /** The identity service's JWKS, fetched once and refetched for an unknown key id. */
  readonly jwksUrl?: string;
  /** Keys to verify with instead of a URL (tests, or a key already in hand). */
  readonly keys?: JWTVerifyGetKey;
  readonly issuer: string;
  readonly audience: string;
  /**
   * Identity's revocation list; with it, a token must name its session or key, and one whose
   * session or key has ended is refused.
   */
  readonly revocations?: RevocationCheck;
}

/**
 * The longest lifetime identity gives an access token (15 minutes) and a minute of clock
 * skew: a token whose `iat` is older is refused whatever its `exp` says, and one whose `iat`
 * is more than the skew in the future too.
 */
export const MAX_TOKEN_AGE_SECONDS = 900 + 60;
const CLOCK_TOLERANCE_SECONDS = 60;

/**
 * Verifies `Authorization: Bearer <jwt>`: signature (ES256/RS256), issuer, audience, expiry,
 * age, and (with `revocations`) that its session or key has not ended. A refusal tells the
 * caller only that the token is not accepted; which check failed goes to the log.
 */
export function jwtIdentitySource(options: JwtIdentityOptions): IdentitySource {
  const keys =
    options.keys ??
    (options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 })
      : undefined);
  if (!keys) throw new Error("[taskflow] [auth] jwtIdentitySource needs jwksUrl or keys");
  const verified = createVerifiedTokens();
  return async (headers) => {
    const header = headers.authorization;
    if (header === undefined) return undefined;
    const match = typeof header === "string" ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError("Authorization must be 'Bearer <access token>'");
    const token = match[1]!;
    const identity = verified.get(token) ?? (await verify(token));
    if (options.revocations) {
      if (identity.sessionId === undefined && identity.apiKeyId === undefined) {
        throw new UnauthorizedError("invalid access token", { reason: "names no session or key" });
      }
      const ended = options.revocations.revoked(identity);
      if (ended === "session")
        throw new UnauthorizedError("this session has ended (signed out or revoked); sign in again");
      if (ended === "key") throw new UnauthorizedError("the API key this token was issued for was revoked");
    }
    return identity;
  };

  async function verify(token: string): Promise<CallerIdentity> {
    try {
      const { payload } = await jwtVerify(token, keys!, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ["ES256", "RS256"],
        requiredClaims: ["sub", "exp", "iat"],
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === "string") : ["user"];
      const scopes = typeof payload.scope === "string" ? payload.scope.split(" ").filter(Boolean) : undefined;
      const identity: CallerIdentity = {
        userId: payload.sub!,
        ...(typeof payload.email === "string" ? { email: payload.email } : {}),
        roles,
        ...(scopes ? { scopes } : {}),
        ...(typeof payload.sid === "string" ? { sessionId: payload.sid } : {}),
        ...(typeof payload.key_id === "string" ? { apiKeyId: payload.key_id } : {}),
        via: "jwt",
      };
      verified.add(token, identity, payload.exp! * 1000);
      return identity;
    } catch (error) {
      const code = (error as { code?: string }).code ?? "rejected";
      throw new UnauthorizedError("invalid access token", { reason: code });
    }
  }
}

/**
 * Tokens already verified, until their `exp`. A signature check costs more than the rest of
 * a cached read, and a client sends the same token with every request; the same string
 * verifies the same way until it expires. Bounded: when full, it starts over.
 */
function createVerifiedTokens(max = 10_000) {
  const entries = new Map<string, { identity: CallerIdentity; expiresAt: number }>();
  return {
    get(token: string): CallerIdentity | undefined {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.expiresAt > Date.now()) return entry.identity;
      entries.delete(token);
      return undefined;
    },
    add(token: string, identity: CallerIdentity, expiresAt: number): void {
      if (entries.size >= max) entries.clear();
      entries.set(token, { identity, expiresAt });
    },
  };
}

/** The development header; only local mode accepts it (the env schema refuses it elsewhere). */
export const DEV_USER_HEADER = "x-dev-user";

/**
 * Local mode: `x-dev-user: <userId>` (optionally `x-dev-roles: user,admin`) identifies the
 * caller without a token, so the services can be tried with curl.
 */
export function devHeaderIdentitySource(): IdentitySource {
  return async (headers) => {
    const user = headers[DEV_USER_HEADER];
    if (typeof user !== "string" || user.trim() === "") return undefined;
    if (user.length > 200) throw new UnauthorizedError(`${DEV_USER_HEADER} is too long`);
    const roles = typeof headers["x-dev-roles"] === "string" ? headers["x-dev-roles"].split(",") : ["user"];
    return { userId: user.trim(), roles: roles.map((r) => r.trim()).filter(Boolean), via: "dev-header" };
  };
}

/** Tries each source in turn; the first that recognises credentials decides. */
export function firstOf(...sources: readonly IdentitySource[]): IdentitySource {
  return async (headers) => {
    for (const source of sources) {
      const caller = await source(headers);
      if (caller) return caller;
    }
    return undefined;
  };
}
