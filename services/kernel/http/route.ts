import type { z } from "zod";
import type { CallerIdentity, RequestHeaders } from "../auth/caller.js";
import type { Logger } from "../observability/logger.js";

/**
 * A route is declared once, with the zod schemas of its input and output. The same
 * declaration mounts the express handler (validation, auth, versioning, idempotency, ETags)
 * and produces the OpenAPI document, so the document cannot drift from what is served.
 */

export type ApiVersion = 1 | 2;
export const API_VERSIONS: readonly ApiVersion[] = [1, 2];
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** The authenticated caller; `ANONYMOUS` on routes declared `auth: false`. */
  readonly caller: CallerIdentity;
  /** The API version the request asked for (URL segment, `api-version` header or query). */
  readonly version: ApiVersion;
  /** Version from `If-Match` (`"3"` → 3); undefined when absent or `*`. */
  readonly ifMatch: number | undefined;
  readonly headers: RequestHeaders;
  readonly requestId: string;
  readonly log: Logger;
}

/** What a handler answers; the route wrapper writes it (and the idempotency store replays it). */
export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  /** Resource version, sent as a strong `ETag: "<n>"`. */
  readonly etag?: number;
  /** Sent as `Location` (for 201). */
  readonly location?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ResponseSpec {
  readonly description: string;
  /** Body schema, one for every version or one per version when the representation differs. */
  readonly schema?: z.ZodType | Partial<Record<ApiVersion, z.ZodType>>;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly method: HttpMethod;
  /** Express-style path below `/api/v<n>`, e.g. "/boards/:boardId/cards". */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly description?: string;
  /** Versions that serve this route. @default [1, 2] */
  readonly versions?: readonly ApiVersion[];
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** Success responses by status; error responses are added from the route's features. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Needs an authenticated caller. @default true */
  readonly auth?: boolean;
  /** Scope an API-key token needs (tokens without scopes are full user tokens). */
  readonly scope?: string;
  /** Accepts `Idempotency-Key` (POST). @default false */
  readonly idempotencyKey?: boolean;
  /** "required": 428 without `If-Match`; "optional": checked when sent. */
  readonly ifMatch?: "required" | "optional";
  readonly handler: (ctx: RouteContext<P, Q, B>) => Promise<RouteResult>;
}

/** Declares a route; the identity function that lets TypeScript infer the handler's input types. */
export function route<P = unknown, Q = unknown, B = unknown>(spec: RouteSpec<P, Q, B>): RouteSpec<P, Q, B> {
  return spec;
}

/** A route of any input types, as collections of routes hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes needs an erased form
export type AnyRoute = RouteSpec<any, any, any>;

/** "/boards/:boardId" → "/boards/{boardId}" (OpenAPI form). */
export function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, "{$1}");
}
