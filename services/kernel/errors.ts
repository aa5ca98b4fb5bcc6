import { TaskflowError } from "../../adapters/core/errors.js";

/**
 * Errors that carry an HTTP status. Use cases throw them; one middleware (`http/problem.ts`)
 * turns them into `application/problem+json` (RFC 9457). `detail` is what a caller reads; the
 * `Error.message` keeps the `[taskflow] [component]` form for logs.
 */

/** One problem with one input field, e.g. `{ field: "body.title", message: "too short" }`. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export class AppError extends TaskflowError {
  readonly status: number;
  /** Short slug for the problem `type` URI, e.g. "not-found". */
  readonly code: string;
  readonly detail: string;
  readonly fields: readonly FieldError[];

  constructor(
    status: number,
    code: string,
    detail: string,
    options: { component?: string; fields?: readonly FieldError[]; cause?: unknown } = {},
  ) {
    super(options.component ?? "http", detail, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = options.fields ?? [];
  }
}

/** 400: the request does not match its schema; `fields` names each problem. */
export class ValidationError extends AppError {
  constructor(detail: string, fields: readonly FieldError[] = []) {
    super(400, "validation", detail, { fields });
  }
}

/**
 * 401: no valid credentials. `reason` (which check failed) is for the log only: telling the
 * caller would tell a forger which part of the forgery to fix.
 */
export class UnauthorizedError extends AppError {
  readonly reason: string | undefined;
  constructor(detail = "authentication required", options: { reason?: string } = {}) {
    super(401, "unauthorized", detail);
    this.reason = options.reason;
  }
}

/** 429: try again later; `retryAfterSeconds` is sent as `Retry-After`. */
export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, "rate-limited", detail);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 403: authenticated, but not allowed (used only where hiding the resource is pointless). */
export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, "forbidden", detail);
  }
}

/** 404: absent, or belongs to someone else (the caller cannot tell the difference). */
export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super(404, "not-found", `${what} "${id}" not found`);
  }
}

/** 409: the request conflicts with the current state (duplicate name, read-only task, limit reached). */
export class ConflictError extends AppError {
  constructor(detail: string, options: { fields?: readonly FieldError[]; cause?: unknown } = {}) {
    super(409, "conflict", detail, options);
  }
}

/**
 * 409: another writer appended to the stream first (the expected version was stale). When the
 * caller sent `If-Match`, the HTTP layer reports a 412 instead.
 */
export class ConcurrencyError extends AppError {
  readonly streamId: string;
  readonly expectedVersion: number;
  constructor(streamId: string, expectedVersion: number, options: { cause?: unknown } = {}) {
    super(409, "concurrency", `stream "${streamId}" changed since version ${expectedVersion}; reload and retry`, {
      component: "event-log",
      ...options,
    });
    this.streamId = streamId;
    this.expectedVersion = expectedVersion;
  }
}

/** 412: `If-Match` named a version that is no longer current. */
export class PreconditionFailedError extends AppError {
  constructor(detail: string) {
    super(412, "precondition-failed", detail);
  }
}

/** 422: well-formed, but breaks a business rule (due date in the past, card on another board). */
export class UnprocessableError extends AppError {
  constructor(detail: string, fields: readonly FieldError[] = []) {
    super(422, "unprocessable", detail, { fields });
  }
}

/** 428: the update needs `If-Match`, so that no change is lost. */
export class PreconditionRequiredError extends AppError {
  constructor(detail = "this update requires an If-Match header with the resource's ETag") {
    super(428, "precondition-required", detail);
  }
}
