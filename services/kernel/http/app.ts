import { randomUUID } from "node:crypto";
import { context as otelContext, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import express, { type Express, type RequestHandler } from "express";
import type { IdentitySource } from "../auth/caller.js";
import type { Database } from "../db/database.js";
import { AppError, ValidationError } from "../errors.js";
import { type Logger, withRequestId } from "../observability/logger.js";
import { createHttpMetrics, type HttpMetrics } from "../observability/metrics.js";
import { extractContext, tracer } from "../observability/tracing.js";
import { mountHealth, type ReadinessCheck } from "./health.js";
import type { IdempotencyOptions } from "./idempotency.js";
import { methodNotAllowed } from "./method-not-allowed.js";
import { mountRoutes } from "./mount.js";
import { buildOpenApi, DOCS_PAGE_CSP, docsPage, type OpenApiInfo } from "./openapi.js";
import { notFoundHandler, problemHandler } from "./problem.js";
import type { AnyRoute } from "./route.js";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "./validate.js";
import { type VersioningOptions, versionRewrite } from "./versioning.js";

export interface HttpAppOptions {
  /** Service name, for logs, metrics and the document title. */
  readonly service: string;
  readonly log: Logger;
  readonly identity: IdentitySource;
  readonly routes: readonly AnyRoute[];
  /** Holds `Idempotency-Key` claims; needed when a route accepts the header. */
  readonly db?: Database;
  readonly readiness?: readonly ReadinessCheck[];
  readonly versioning?: VersioningOptions;
  readonly idempotency?: IdempotencyOptions;
  /** Largest JSON body accepted. @default "100kb" */
  readonly bodyLimit?: string;
  readonly openapi?: OpenApiInfo;
  /** Middleware that runs on every request before anything answers (the gateway's security headers). */
  readonly before?: readonly RequestHandler[];
  /**
   * Refuse a body that is not JSON with 415. @default true (the gateway passes bodies on as
   * they are, within its size limit, and the service behind it answers)
   */
  readonly jsonBodiesOnly?: boolean;
  /** Serve `/metrics` on this app. @default true (the gateway serves them on an internal port instead) */
  readonly metrics?: boolean;
  /** Adds express routes of its own (SSE, proxies) after the declared routes, before the 404 handler. */
  readonly configure?: (app: Express) => void;
}

export interface HttpApp {
  readonly app: Express;
  readonly metrics: HttpMetrics;
  readonly openapi: Record<string, unknown>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** A request that carries body bytes (a declared length above 0, or a chunked body). */
const hasBody = (req: express.Request) =>
  req.headers["transfer-encoding"] !== undefined ||
  (req.headers["content-length"] !== undefined && req.headers["content-length"] !== "0");

/**
 * The express app every service runs: request id, JSON body with a size limit, a server span
 * per request continuing the caller's `traceparent`, one JSON log line per request, metrics,
 * health, API versioning, the declared routes, the OpenAPI document and problem+json errors.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { log } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  const metrics = createHttpMetrics(options.service);
  const deprecated = options.versioning?.deprecated ?? {};
  const openapi = buildOpenApi(
    options.routes,
    options.openapi ?? { title: `taskflow ${options.service}`, version: "1.0.0" },
    deprecated,
  );

  app.use((req, res, next) => {
    const incoming = req.headers["x-request-id"];
    const requestId = typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader("x-request-id", requestId);
    const started = process.hrtime.bigint();
    const parent = extractContext(req.headers);
    const span = tracer().startSpan(`${req.method} ${req.path}`, { kind: SpanKind.SERVER }, parent);
    span.setAttribute("http.request.method", req.method);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route ? `${req.route.path}` : "unmatched";
      metrics.observe({ method: req.method, route, status: res.statusCode }, seconds);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute("http.route", route);
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      if (req.path.startsWith("/health") || req.path === "/metrics" || !log.isLevelEnabled("info")) return;
      log.info(
        {
          requestId,
          traceId: span.spanContext().traceId,
          method: req.method,
          path: req.path,
          route,
          status: res.statusCode,
          durationMs: Math.round(seconds * 1e4) / 10,
        },
        "request",
      );
    });
    res.locals.requestId = requestId;
    res.locals.traceContext = trace.setSpan(parent, span);
    next();
  });
  for (const handler of options.before ?? []) app.use(handler);
  app.use(express.json({ limit: options.bodyLimit ?? "100kb" }));
  // Every route that takes a body takes JSON: another type is a 415, not a 400 about missing fields.
  app.use((req, _res, next) => {
    if (options.jsonBodiesOnly === false || !hasBody(req) || req.is(["application/json", "application/*+json"])) {
      return next();
    }
    next(
      new AppError(
        415,
        "unsupported-media-type",
        `the request body must be application/json, not ${req.headers["content-type"] ?? "untyped"}`,
      ),
    );
  });
  app.use((req, _res, next) => {
    if (!nestsDeeperThan(req.body, MAX_JSON_DEPTH)) return next();
    next(
      new ValidationError(`the request body nests deeper than ${MAX_JSON_DEPTH} levels`, [
        { field: "body", message: `must nest at most ${MAX_JSON_DEPTH} levels deep` },
      ]),
    );
  });
  // Entered after the body is read: stream callbacks do not carry the async context along.
  app.use((_req, res, next) => {
    otelContext.with(res.locals.traceContext, () => withRequestId(res.locals.requestId, next));
  });
  app.use(versionRewrite(options.versioning));

  const router = express.Router();
  mountHealth(router, options.readiness ?? []);
  if (options.metrics !== false) {
    router.get("/metrics", async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  router.get("/api/docs/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  router.get("/api/docs", (_req, res) => {
    res.setHeader("content-security-policy", DOCS_PAGE_CSP);
    res.type("html").send(docsPage(String((openapi.info as { title: string }).title)));
  });
  mountRoutes(router, options.routes, {
    identity: options.identity,
    log,
    ...(options.db ? { db: options.db } : {}),
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    deprecated,
  });
  app.use(router);
  options.configure?.(app);
  app.use(methodNotAllowed(app));
  app.use(notFoundHandler);
  app.use(problemHandler(log));
  return { app, metrics, openapi };
}
