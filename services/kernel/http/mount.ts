import type { Request, Response, Router } from "express";
import { ANONYMOUS, type CallerIdentity, type IdentitySource } from "../auth/caller.js";
import type { Database } from "../db/database.js";
import {
  type AppError,
  ConcurrencyError,
  ForbiddenError,
  PreconditionFailedError,
  PreconditionRequiredError,
  UnauthorizedError,
  ValidationError,
} from "../errors.js";
import type { Logger } from "../observability/logger.js";
import {
  checkKey,
  IDEMPOTENCY_HEADER,
  type IdempotencyOptions,
  requestHash,
  runIdempotent,
  type StoredResponse,
} from "./idempotency.js";
import { PROBLEM_CONTENT_TYPE, problemDocument, problemHeaders, toAppError } from "./problem.js";
import { type AnyRoute, API_VERSIONS, type ApiVersion, type RouteResult } from "./route.js";
import { assertStorable, parsePart } from "./validate.js";
import { type Deprecation, deprecationHeaders } from "./versioning.js";

export interface MountOptions {
  readonly identity: IdentitySource;
  /** Where `Idempotency-Key` claims live; routes that accept the header need it. */
  readonly db?: Database;
  readonly idempotency?: IdempotencyOptions;
  readonly deprecated?: Partial<Record<ApiVersion, Deprecation>>;
  readonly log: Logger;
}

/**
 * `"3"` → 3; `*` → undefined; a weak `W/"3"` is a 412, since If-Match compares strongly
 * (RFC 9110 §13.1.1) and this API's ETags are strong; anything else is a 400.
 */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  if (/^\s*W\/"\d+"\s*$/.test(header)) {
    throw new PreconditionFailedError(
      'If-Match compares strongly, and a weak ETag (W/"...") never matches; send the ETag as returned',
    );
  }
  const match = /^\s*"(\d+)"\s*$/.exec(header);
  if (!match) {
    throw new ValidationError('If-Match must be an ETag this API returned, e.g. "3"', [
      { field: "headers.if-match", message: 'must look like "3"' },
    ]);
  }
  return Number(match[1]);
}

function storable<T>(part: string, value: T): T {
  assertStorable(part, value);
  return value;
}

function toStored(result: RouteResult): StoredResponse {
  const headers: Record<string, string> = { ...(result.headers ?? {}) };
  if (result.etag !== undefined) headers.etag = `"${result.etag}"`;
  if (result.location) headers.location = result.location;
  if (result.body === undefined) return { status: result.status, headers, body: "" };
  headers["content-type"] = "application/json; charset=utf-8";
  return { status: result.status, headers, body: JSON.stringify(result.body) };
}

function problemResponse(error: AppError, req: Request, requestId: string): StoredResponse {
  return {
    status: error.status,
    headers: { ...problemHeaders(error), "content-type": PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problemDocument(error, req.originalUrl, requestId)),
  };
}

function send(res: Response, response: StoredResponse): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (response.body === "") res.end();
  else res.send(response.body);
}

/** Mounts each route under `/api/v<n>` for each version it serves. */
export function mountRoutes(router: Router, routes: readonly AnyRoute[], options: MountOptions): void {
  for (const spec of routes) {
    for (const version of spec.versions ?? API_VERSIONS) {
      router[spec.method](`/api/v${version}${spec.path}`, async (req, res, next) => {
        try {
          await handle(spec, version, req, res, options);
        } catch (error) {
          next(error);
        }
      });
    }
  }
}

async function handle(spec: AnyRoute, version: ApiVersion, req: Request, res: Response, options: MountOptions) {
  const requestId = String(res.getHeader("x-request-id") ?? "");
  const deprecation = options.deprecated?.[version];
  if (deprecation) {
    const headers = deprecationHeaders(deprecation, req.originalUrl);
    res.setHeader("deprecation", headers.deprecation);
    res.setHeader("sunset", headers.sunset);
    res.setHeader("link", headers.link);
  }

  let caller: CallerIdentity = ANONYMOUS;
  if (spec.auth !== false) {
    const found = await options.identity(req.headers);
    if (!found) throw new UnauthorizedError();
    if (spec.scope && found.scopes && !found.scopes.includes(spec.scope)) {
      throw new ForbiddenError(`this API key lacks the "${spec.scope}" scope`);
    }
    caller = found;
  }

  const ifMatchHeader = req.headers["if-match"];
  if (spec.ifMatch === "required" && ifMatchHeader === undefined) throw new PreconditionRequiredError();
  const ifMatch = parseIfMatch(ifMatchHeader);

  const run = async (): Promise<StoredResponse> => {
    try {
      const ctx = {
        params: spec.params ? parsePart("params", spec.params, req.params) : storable("params", req.params),
        query: spec.query ? parsePart("query", spec.query, { ...(req.query as object) }) : {},
        body: spec.body ? parsePart("body", spec.body, req.body) : undefined,
        caller,
        version,
        ifMatch,
        headers: req.headers,
        requestId,
        log: options.log,
      };
      return toStored(await spec.handler(ctx));
    } catch (error) {
      let appError = toAppError(error);
      // With If-Match the caller asked for "only if unchanged": a lost race is a failed precondition.
      if (appError instanceof ConcurrencyError && ifMatchHeader !== undefined) {
        appError = new PreconditionFailedError("the resource changed since the ETag in If-Match; reload it and retry");
      }
      if (appError.status >= 500) throw error;
      return problemResponse(appError, req, requestId);
    }
  };

  const key = spec.idempotencyKey ? req.headers[IDEMPOTENCY_HEADER] : undefined;
  if (typeof key === "string" && options.db) {
    checkKey(key);
    const scope = `${caller.userId}|${req.method}|${req.path}`;
    const response = await runIdempotent(
      options.db,
      { scope, key, hash: requestHash(req.body) },
      run,
      options.idempotency,
    );
    if (response.replayed) res.setHeader("idempotent-replayed", "true");
    send(res, response);
    return;
  }
  send(res, await run());
}
