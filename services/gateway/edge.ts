import type { RequestHandler } from "express";

/**
 * What every response of the public edge carries: security headers (a JSON API never needs
 * to be framed, sniffed or given a referrer) and CORS for the origins the deployment allows.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("referrer-policy", "no-referrer");
  res.setHeader("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  res.setHeader("cross-origin-resource-policy", "same-site");
  next();
};

export interface CorsOptions {
  /** Origins allowed to call the API from a browser; `*` allows any (without credentials). @default [] */
  readonly origins?: readonly string[];
}

const ALLOWED_HEADERS =
  "authorization, content-type, x-api-key, idempotency-key, if-match, api-version, last-event-id, x-request-id";
const EXPOSED_HEADERS =
  "etag, location, ratelimit, ratelimit-policy, retry-after, x-request-id, deprecation, sunset, link";

export function cors(options: CorsOptions = {}): RequestHandler {
  const origins = new Set(options.origins ?? []);
  return (req, res, next) => {
    const origin = req.headers.origin;
    const allowed = typeof origin === "string" && (origins.has(origin) || origins.has("*"));
    if (allowed) {
      res.setHeader("access-control-allow-origin", origins.has("*") ? "*" : origin);
      res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
      res.append("vary", "Origin");
    }
    if (req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
      if (allowed) {
        res.setHeader("access-control-allow-methods", "GET, HEAD, POST, PUT, PATCH, DELETE");
        res.setHeader("access-control-allow-headers", ALLOWED_HEADERS);
        res.setHeader("access-control-max-age", "600");
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
