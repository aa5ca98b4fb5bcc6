import type { ErrorRequestHandler, RequestHandler } from "express";
import { PG_UNIQUE_VIOLATION, sqlState } from "../db/database.js";
import {
  AppError,
  ConflictError,
  type FieldError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
} from "../errors.js";
import type { Logger } from "../observability/logger.js";

/**
 * Errors become `application/problem+json` (RFC 9457) here and nowhere else. Client errors
 * say what was wrong (with one entry per bad field); anything unexpected is a 500 whose body
 * gives only the request id, while the log keeps the cause.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface ProblemDocument {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldError[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const UNSTORABLE_STATES = new Set(["22021", "22P05"]);

/** Maps any thrown value to an `AppError`; unknown errors become a 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (sqlState(error) === PG_UNIQUE_VIOLATION) return new ConflictError("a resource with these values already exists");
  // Text the database cannot store (NUL, an unpaired surrogate) that got past validation.
  if (UNSTORABLE_STATES.has(sqlState(error) ?? "")) {
    return new AppError(400, "validation", "the request holds text that cannot be stored", { cause: error });
  }
  const status = (error as { status?: unknown; type?: unknown } | null)?.status;
  const type = (error as { type?: unknown } | null)?.type;
  if (type === "entity.too.large") return new AppError(413, "too-large", "the request body exceeds the size limit");
  if (type === "entity.parse.failed") return new AppError(400, "malformed-json", "the request body is not valid JSON");
  if (type === "charset.unsupported" || type === "encoding.unsupported") {
    return new AppError(415, "unsupported-media-type", "the request body encoding is not supported");
  }
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new AppError(status, "bad-request", "the request could not be read");
  }
  return new AppError(500, "internal", "an unexpected error occurred; quote the request id when reporting it", {
    cause: error,
  });
}

export function problemDocument(error: AppError, instance: string, requestId?: string): ProblemDocument {
  return {
    type: `urn:taskflow:problem:${error.code}`,
    title: TITLES[error.status] ?? "Error",
    status: error.status,
    detail: error.detail,
    instance,
    ...(requestId ? { requestId } : {}),
    ...(error.fields.length > 0 ? { errors: error.fields } : {}),
  };
}

/** Headers that go with some problems (how to authenticate, when to retry). */
export function problemHeaders(error: AppError): Record<string, string> {
  if (error.status === 401) return { "www-authenticate": 'Bearer realm="taskflow"' };
  if (error.code === "in-flight") return { "retry-after": "1" };
  if (error instanceof TooManyRequestsError) return { "retry-after": String(error.retryAfterSeconds) };
  return {};
}

export function problemHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    const requestId = res.getHeader("x-request-id") as string | undefined;
    if (appError.status >= 500) log.error({ err: error, requestId }, "request failed");
    if (appError instanceof UnauthorizedError && appError.reason) {
      log.info({ requestId, reason: appError.reason }, "credentials refused");
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(appError.status);
    res.set(problemHeaders(appError));
    res.type(PROBLEM_CONTENT_TYPE);
    res.send(JSON.stringify(problemDocument(appError, req.originalUrl, requestId)));
  };
}

/** The catch-all after every route: an unknown path is a problem too. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError("route", `${req.method} ${req.path}`));
};
