import { BrokenCircuitError, TaskCancelledError } from "cockatiel";
import type { Express, Request, Response } from "express";
import type { ICache } from "../../adapters/core/index.js";
import type { IdentitySource } from "../kernel/auth/caller.js";
import { AppError, ForbiddenError, UnauthorizedError } from "../kernel/errors.js";
import { createHttpApp, type HttpApp } from "../kernel/http/app.js";
import type { ReadinessCheck } from "../kernel/http/health.js";
import type { Logger } from "../kernel/observability/logger.js";
import { traceHeaders } from "../kernel/observability/tracing.js";
import { createUpstreamPolicy, type UpstreamPolicyOptions } from "../kernel/resilience.js";
import type { ServiceName } from "../platform.js";
import { type Caller, createCallerResolver } from "./caller.js";
import { type CorsOptions, cors, securityHeaders } from "./edge.js";
import { createUpstream, forward, forwardableHeaders, stream, type Upstream, type UpstreamResponse } from "./proxy.js";
import { createRateLimiter, type RateLimitPolicy, rateLimitHeaders } from "./rate-limiter.js";
import { type GatewayRoute, isWrite, matchRoute, splitVersion } from "./route-table.js";
import { mountBrowserSession } from "./session.js";
import { composeView, type PartOutcome, VIEWS } from "./views.js";
import { mountWebApp } from "./web-assets.js";

/**
 * The gateway: the one public entry. For each request under `/api/v<n>` it finds the route
 * in the table derived from `platform.ts`, establishes the caller, applies the route's access
 * rule and the caller's rate limit, then forwards to the upstream or composes a view.
 */

export type UpstreamName = Exclude<ServiceName, "gateway">;

export interface GatewayOptions {
  /** Base URL of each upstream service, e.g. `{ tasks: "http://127.0.0.1:7001", ... }`. */
  readonly upstreams: Readonly<Record<UpstreamName, string>>;
  readonly cache: ICache;
  /** Verifies access tokens (the kernel's JWT identity source over identity's JWKS). */
  readonly identity: IdentitySource;
  readonly log: Logger;
  /** Per caller (user, or client address when anonymous). @default 600 per minute */
  readonly rateLimit?: RateLimitPolicy;
  /**
   * Per client address, on every API request before any credential is checked, so that
   * anonymous floods, bad API keys and forged tokens are limited too (and bad keys stop
   * costing calls to identity). @default 1,200 per minute
   */
  readonly clientRateLimit?: RateLimitPolicy;
  /**
   * Proxies in front of the gateway whose `X-Forwarded-For` entry is believed, so that the
   * client address the limits and identity's sign-in throttle use is the client's, not the
   * load balancer's. @default 0 (the socket's peer is the client)
   */
  readonly trustedProxyHops?: number;
  /** Per client address on login, registration and logout, against password guessing. @default 30 per minute */
  readonly authRateLimit?: RateLimitPolicy;
  /**
   * Per client address on `POST /auth/refresh` (the browser session's refresh too), apart
   * from the sign-in budget, so that guessing passwords does not stop refreshes. @default 120 per minute
   */
  readonly refreshRateLimit?: RateLimitPolicy;
  /** Per client address on `POST /auth/token` (API-key exchange). @default 120 per minute */
  readonly tokenExchangeRateLimit?: RateLimitPolicy;
  /** Timeout, retries and circuit breaker of every upstream. */
  readonly upstreamPolicy?: UpstreamPolicyOptions;
  readonly cors?: CorsOptions;
  /** Largest request body, in bytes. @default 102_400 */
  readonly bodyLimitBytes?: number;
  /** What `/health/ready` checks. @default the cache, not critical */
  readonly readiness?: readonly ReadinessCheck[];
  /** The web app's build to serve at `/`; false serves none. @default web/dist beside the sources or bundles */
  readonly webDir?: string | false;
}

export interface Gateway extends HttpApp {
  /** Upstreams by name, with their circuit state, for health and tests. */
  readonly upstreams: Readonly<Record<UpstreamName, Upstream>>;
  close(): void;
}

/** Credentials the gateway replaces with its own and never passes on. */
const STRIPPED = ["authorization", "x-api-key", "x-dev-user", "x-dev-roles", "cookie", "x-forwarded-for"];

export function createGateway(options: GatewayOptions): Gateway {
  const bodyLimit = options.bodyLimitBytes ?? 102_400;
  const upstreams = Object.fromEntries(
    Object.entries(options.upstreams).map(([name, url]) => [
      name,
      createUpstream(name, url, createUpstreamPolicy(name, options.upstreamPolicy)),
    ]),
  ) as Record<UpstreamName, Upstream>;
  const limiter = createRateLimiter(options.cache, options.rateLimit ?? { limit: 600, windowMs: 60_000 });
  const clientLimiter = createRateLimiter(
    options.cache,
    options.clientRateLimit ?? { limit: 1_200, windowMs: 60_000, name: "client" },
  );
  const authLimiter = createRateLimiter(
    options.cache,
    options.authRateLimit ?? { limit: 30, windowMs: 60_000, name: "sign-in" },
  );
  const publicLimiters = {
    refresh: createRateLimiter(
      options.cache,
      options.refreshRateLimit ?? { limit: 120, windowMs: 60_000, name: "refresh" },
    ),
    token: createRateLimiter(
      options.cache,
      options.tokenExchangeRateLimit ?? { limit: 120, windowMs: 60_000, name: "token-exchange" },
    ),
  };
  /** The budget of a public `/auth/...` route: its own for refresh and token exchange, the sign-in one otherwise. */
  const budgetOf = (rest: string) =>
    rest === "/auth/refresh" ? publicLimiters.refresh : rest === "/auth/token" ? publicLimiters.token : authLimiter;

  const exchange = async (apiKey: string) => {
    const answer = await forward(upstreams.identity, {
      method: "POST",
      path: "/api/v1/auth/token",
      headers: { "content-type": "application/json", ...traceHeaders() },
      body: Buffer.from(JSON.stringify({ apiKey })),
    });
    if (answer.status === 401 || answer.status === 403) return undefined;
    if (answer.status !== 200) throw new AppError(503, "upstream-unavailable", "cannot check the API key right now");
    return JSON.parse(answer.body.toString()) as { accessToken: string; expiresIn: number };
  };
  const resolveCaller = createCallerResolver(options.identity, exchange, options.cache);

  const http = createHttpApp({
    service: "gateway",
    log: options.log,
    identity: options.identity,
    routes: [],
    // On every answer, health, docs and errors included; metrics only on the internal port.
    before: [securityHeaders],
    metrics: false,
    jsonBodiesOnly: false,
    bodyLimit: String(bodyLimit),
    readiness: options.readiness ?? [{ name: "cache", ping: () => options.cache.ping(), critical: false }],
    configure: (app) => configure(app),
  });

  function configure(app: Express) {
    if (options.trustedProxyHops) app.set("trust proxy", options.trustedProxyHops);
    app.use(cors(options.cors));
    app.get("/.well-known/jwks.json", (req, res, next) => {
      proxy(req, res, upstreams.identity, undefined).catch(next);
    });
    mountBrowserSession(app, {
      identity: (path, body, req) =>
        call(upstreams.identity, {
          method: "POST",
          path,
          headers: { "content-type": "application/json", "x-forwarded-for": req.ip ?? "", ...traceHeaders() },
          body: Buffer.from(JSON.stringify(body)),
        }),
      async limit(req, res, route) {
        const budget = route === "refresh" ? publicLimiters.refresh : authLimiter;
        const decision = await budget.take(`ip:${req.ip}`);
        res.set(rateLimitHeaders(budget.policy, decision));
        if (!decision.allowed)
          throw new AppError(429, "rate-limited", "too many requests; retry after the time in Retry-After");
      },
    });
    app.all(/^\/api\/v\d+\/.+/, (req, res, next) => {
      handle(req, res).then(
        (handled) => (handled ? undefined : next()),
        (error) => {
          if (error instanceof AppError && error.status === 503) res.setHeader("retry-after", "5");
          next(error);
        },
      );
    });
    if (options.webDir !== false) mountWebApp(app, options.webDir);
  }

  /** False when no route matches, so the app's 404 answers. */
  async function handle(req: Request, res: Response): Promise<boolean> {
    const split = splitVersion(req.path);
    const route = split && matchRoute(split.rest);
    if (!split || !route) return false;

    const byClient = await clientLimiter.take(`client:${req.ip}`);
    if (!byClient.allowed) {
      res.set(rateLimitHeaders(clientLimiter.policy, byClient));
      throw new AppError(
        429,
        "rate-limited",
        "too many requests from this client; retry after the time in Retry-After",
      );
    }
    const caller = await authenticate(req);
    authorize(route, req.method, caller);

    const signIn = route.access === "public" && split.rest.startsWith("/auth/");
    const limit = signIn ? budgetOf(split.rest) : limiter;
    const who = caller ? `user:${caller.userId}` : `ip:${req.ip}`;
    const decision = await limit.take(signIn ? `ip:${req.ip}` : who);
    res.set(rateLimitHeaders(limit.policy, decision));
    if (!decision.allowed)
      throw new AppError(429, "rate-limited", "too many requests; retry after the time in Retry-After");

    if (route.kind === "view") {
      await view(req, res, route, split.rest, caller!);
      return true;
    }
    await proxy(req, res, upstreams[route.services[0] as UpstreamName], caller);
    return true;
  }

  async function authenticate(req: Request): Promise<Caller | undefined> {
    const authorization = req.headers.authorization;
    const apiKey = req.headers["x-api-key"];
    return resolveCaller({
      ...(authorization !== undefined ? { authorization } : {}),
      ...(typeof apiKey === "string" ? { apiKey } : {}),
    });
  }

  function authorize(route: GatewayRoute, method: string, caller: Caller | undefined): void {
    if (route.access === "public") return;
    if (!caller) throw new UnauthorizedError();
    if (caller.scopes) {
      const needed = route.scopes ? (isWrite(method) ? route.scopes.write : route.scopes.read) : undefined;
      if (!needed) throw new ForbiddenError("API keys cannot be used on this route; sign in instead");
      const missing = needed.filter((scope) => !caller.scopes!.includes(scope));
      if (missing.length > 0) throw new ForbiddenError(`this API key lacks the scope ${missing.join(", ")}`);
    }
    if (route.access === "admin" && (!caller.roles.includes("admin") || caller.scopes)) {
      throw new ForbiddenError("this route needs the admin role");
    }
  }

  function upstreamHeaders(req: Request, caller: Caller | undefined): Record<string, string> {
    const headers = forwardableHeaders(req.headers);
    for (const name of STRIPPED) delete headers[name];
    if (caller) headers.authorization = `Bearer ${caller.token}`;
    headers["x-request-id"] = String(res(req).getHeader("x-request-id") ?? "");
    headers["x-forwarded-for"] = req.ip ?? "";
    headers["x-forwarded-proto"] = req.protocol;
    return { ...headers, ...traceHeaders() };
  }

  async function requestBody(req: Request): Promise<Buffer | undefined> {
    if (req.method === "GET" || req.method === "HEAD") return undefined;
    if (req.body !== undefined) return Buffer.from(JSON.stringify(req.body));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > bodyLimit) throw new AppError(413, "too-large", "the request body exceeds the size limit");
      chunks.push(chunk);
    }
    return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  }

  async function proxy(req: Request, res: Response, upstream: Upstream, caller: Caller | undefined) {
    const headers = upstreamHeaders(req, caller);
    if (req.method === "GET" && String(req.headers.accept ?? "").includes("text/event-stream")) {
      await stream(upstream, { method: "GET", path: req.originalUrl, headers }, res).catch((error) => {
        throw unavailable(upstream, error);
      });
      return;
    }
    const body = await requestBody(req);
    const answer = await call(upstream, {
      method: req.method,
      path: req.originalUrl,
      headers,
      ...(body ? { body } : {}),
    });
    send(res, answer);
  }

  async function call(upstream: Upstream, request: Parameters<typeof forward>[1]): Promise<UpstreamResponse> {
    try {
      return await forward(upstream, request);
    } catch (error) {
      throw unavailable(upstream, error);
    }
  }

  async function view(req: Request, res: Response, route: GatewayRoute, rest: string, caller: Caller) {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      throw new AppError(405, "method-not-allowed", "views are read-only; use GET");
    }
    const definition = VIEWS.find((v) => v.path === route.path)!;
    const params = viewParams(definition.path, rest);
    const version = splitVersion(req.path)!.version;
    const headers = upstreamHeaders(req, caller);
    const outcomes = await Promise.all(
      definition.parts.map(async (part): Promise<PartOutcome> => {
        try {
          const answer = await call(upstreams[part.service as UpstreamName], {
            method: "GET",
            path: `/api/v${version}${part.path(params, caller.userId)}`,
            headers,
          });
          const body = answer.body.length > 0 ? JSON.parse(answer.body.toString()) : null;
          if (answer.status >= 200 && answer.status < 300) return { kind: "ok", body };
          if (answer.status >= 500) return { kind: "unavailable" };
          return { kind: "status", status: answer.status, body };
        } catch {
          return { kind: "unavailable" };
        }
      }),
    );
    const composed = composeView(definition, outcomes);
    if ("unavailable" in composed) throw unavailable(upstreams[composed.unavailable as UpstreamName], undefined);
    if ("passThrough" in composed) {
      res.status(composed.status).type("application/problem+json").send(JSON.stringify(composed.passThrough));
      return;
    }
    res.status(200).json(composed.body);
  }

  return {
    ...http,
    upstreams,
    close() {
      for (const upstream of Object.values(upstreams)) upstream.agent.destroy();
    },
  };
}

const res = (req: Request) => req.res!;

function viewParams(pattern: string, path: string): Record<string, string> {
  const params: Record<string, string> = {};
  const names = pattern.split("/").filter(Boolean);
  const values = path.split("/").filter(Boolean);
  names.forEach((name, i) => {
    if (!name.startsWith(":")) return;
    try {
      params[name.slice(1)] = decodeURIComponent(values[i] ?? "");
    } catch {
      throw new AppError(400, "validation", `the path segment for ${name.slice(1)} is not valid percent-encoding`);
    }
  });
  return params;
}

/** 503 for a down upstream or an open circuit, 504 for a timeout; the cause stays in the log. */
function unavailable(upstream: Upstream, cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  if (cause instanceof TaskCancelledError) {
    return new AppError(504, "upstream-timeout", `the ${upstream.name} service did not answer in time`, { cause });
  }
  const detail =
    cause instanceof BrokenCircuitError
      ? `the ${upstream.name} service is unavailable (circuit open); try again shortly`
      : `the ${upstream.name} service is unavailable; try again shortly`;
  return new AppError(503, "upstream-unavailable", detail, { component: "gateway", cause });
}

function send(res: Response, answer: UpstreamResponse): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || name === "transfer-encoding" || name === "connection" || name === "keep-alive") continue;
    res.setHeader(name, value);
  }
  res.end(answer.body);
}
