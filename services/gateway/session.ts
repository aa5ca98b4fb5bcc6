import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Express, Request, Response } from "express";
import { AppError, ForbiddenError, UnauthorizedError } from "../kernel/errors.js";
import type { UpstreamResponse } from "./proxy.js";

/**
 * Sign-in for browsers. The identity service hands out a token pair; a page must not keep the
 * refresh token where a script can read it. Here the gateway keeps it in a cookie that only
 * these three routes receive (`HttpOnly; Secure; SameSite=Strict; Path=/api/v1/auth/session`)
 * and gives the page the access token alone, which the page keeps in memory. Identity's
 * rotation and reuse detection apply unchanged: every refresh goes through `/auth/refresh`.
 *
 * CSRF: besides SameSite=Strict, refresh and sign-out need the double-submit token (a second,
 * script-readable cookie echoed in `x-csrf-token`) and, when the browser sends one, an
 * `Origin` equal to the gateway's own.
 */

export const SESSION_PATH = "/api/v1/auth/session";
export const REFRESH_COOKIE = "taskflow_refresh";
export const CSRF_COOKIE = "taskflow_csrf";
export const CSRF_HEADER = "x-csrf-token";
/** As long as identity keeps a refresh token valid; the cookie never outlives it by much. */
const MAX_AGE_S = 30 * 24 * 3600;

export interface SessionDeps {
  /**
   * POSTs a JSON body to an identity route (e.g. `/api/v1/auth/login`) on behalf of the
   * request, whose client address identity throttles sign-ins by.
   */
  identity(path: string, body: unknown, req: Request): Promise<UpstreamResponse>;
  /** The rate limit of the route's budget (sign-in, or refresh), applied before identity is asked. */
  limit(req: Request, res: Response, route: "sign-in" | "refresh"): Promise<void>;
}

interface TokenPair {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
}

function cookies(req: Request): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) found[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return found;
}

const sameText = (a: string, b: string) =>
  a.length === b.length && a.length > 0 && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function setSession(res: Response, pair: TokenPair): void {
  const csrf = randomBytes(24).toString("base64url");
  res.append("set-cookie", [
    `${REFRESH_COOKIE}=${encodeURIComponent(pair.refreshToken)}; Path=${SESSION_PATH}; Max-Age=${MAX_AGE_S}; HttpOnly; Secure; SameSite=Strict`,
    `${CSRF_COOKIE}=${csrf}; Path=/; Max-Age=${MAX_AGE_S}; Secure; SameSite=Strict`,
  ]);
  res.setHeader("cache-control", "no-store");
  res.status(200).json({ tokenType: "Bearer", accessToken: pair.accessToken, expiresIn: pair.expiresIn });
}

function clearSession(res: Response): void {
  res.append("set-cookie", [
    `${REFRESH_COOKIE}=; Path=${SESSION_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`,
    `${CSRF_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict`,
  ]);
}

/** Passes identity's problem (lockout, wrong password, reused token) through as it is. */
function relayProblem(res: Response, answer: UpstreamResponse): void {
  const retryAfter = answer.headers["retry-after"];
  if (retryAfter !== undefined) res.setHeader("retry-after", retryAfter);
  res.status(answer.status).type(String(answer.headers["content-type"] ?? "application/problem+json"));
  res.send(answer.body);
}

/** The refresh cookie of a request that proved it comes from this app's own pages. */
function checkedRefreshToken(req: Request): string {
  const origin = req.headers.origin;
  if (typeof origin === "string" && origin !== "null") {
    const own = `${req.protocol}://${req.headers.host}`;
    if (origin !== own) throw new ForbiddenError(`requests from ${origin} may not use the session cookie`);
  }
  const jar = cookies(req);
  const header = req.headers[CSRF_HEADER];
  if (typeof header !== "string" || !sameText(header, jar[CSRF_COOKIE] ?? "")) {
    throw new ForbiddenError(`the ${CSRF_HEADER} header must repeat the ${CSRF_COOKIE} cookie`);
  }
  const token = jar[REFRESH_COOKIE];
  if (!token) throw new UnauthorizedError("no session: sign in again");
  return token;
}

export function mountBrowserSession(app: Express, deps: SessionDeps): void {
  const run =
    (work: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: (e?: unknown) => void) => {
      work(req, res).catch(next);
    };

  app.post(
    SESSION_PATH,
    run(async (req, res) => {
      await deps.limit(req, res, "sign-in");
      const answer = await deps.identity("/api/v1/auth/login", req.body ?? {}, req);
      if (answer.status !== 200) return relayProblem(res, answer);
      setSession(res, JSON.parse(answer.body.toString()) as TokenPair);
    }),
  );

  app.post(
    `${SESSION_PATH}/refresh`,
    run(async (req, res) => {
      const refreshToken = checkedRefreshToken(req);
      await deps.limit(req, res, "refresh");
      const answer = await deps.identity("/api/v1/auth/refresh", { refreshToken }, req);
      if (answer.status !== 200) {
        // A refused token (expired, revoked, reused) is gone for good: drop the cookies with it.
        if (answer.status === 401 || answer.status === 403) clearSession(res);
        return relayProblem(res, answer);
      }
      setSession(res, JSON.parse(answer.body.toString()) as TokenPair);
    }),
  );

  app.post(
    `${SESSION_PATH}/logout`,
    run(async (req, res) => {
      const refreshToken = checkedRefreshToken(req);
      const answer = await deps.identity("/api/v1/auth/logout", { refreshToken }, req);
      clearSession(res);
      if (answer.status >= 500) {
        throw new AppError(503, "upstream-unavailable", "cannot end the session right now; try again shortly");
      }
      res.setHeader("cache-control", "no-store");
      res.status(204).end();
    }),
  );
}
