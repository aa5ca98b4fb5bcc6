import type { RequestHandler } from "express";
import { AppError } from "../errors.js";
import { API_VERSIONS, type ApiVersion } from "./route.js";

/**
 * API versions. A request names its version by URL segment (`/api/v2/tasks`), by the
 * `api-version` header or by `?api-version=`; the segment wins. A request to `/api/tasks`
 * is rewritten to the segment form of the version it asked for (the default when none).
 */

export interface Deprecation {
  /** When the version was deprecated (RFC 9745 `Deprecation`). */
  readonly since: Date;
  /** When it stops being served (RFC 8594 `Sunset`). */
  readonly sunset: Date;
  /** The version that replaces it, linked as `successor-version`. */
  readonly successor: ApiVersion;
}

export interface VersioningOptions {
  /** @default 1 */
  readonly defaultVersion?: ApiVersion;
  readonly deprecated?: Partial<Record<ApiVersion, Deprecation>>;
}

const SEGMENT = /^\/api\/v(\d+)(\/|$)/;
const UNVERSIONED = /^\/api\/(?!v\d+(\/|$)|docs(\/|$))/;

export function parseVersion(value: string): ApiVersion | undefined {
  const match = /^v?(\d+)(\.0)?$/.exec(value.trim());
  const n = match ? Number(match[1]) : Number.NaN;
  return (API_VERSIONS as readonly number[]).includes(n) ? (n as ApiVersion) : undefined;
}

/** Rewrites unversioned `/api/...` URLs to `/api/v<n>/...`. */
export function versionRewrite(options: VersioningOptions = {}): RequestHandler {
  const fallback = options.defaultVersion ?? 1;
  return (req, _res, next) => {
    if (!UNVERSIONED.test(req.url)) return next();
    const query = req.query as Record<string, unknown>;
    const asked =
      req.headers["api-version"] ?? (typeof query["api-version"] === "string" ? query["api-version"] : undefined);
    let version = fallback;
    if (typeof asked === "string") {
      const parsed = parseVersion(asked);
      if (!parsed) {
        return next(
          new AppError(
            400,
            "unsupported-version",
            `API version "${asked}" is not supported; use ${API_VERSIONS.join(" or ")}`,
            {
              fields: [{ field: "headers.api-version", message: `must be one of ${API_VERSIONS.join(", ")}` }],
            },
          ),
        );
      }
      version = parsed;
    }
    req.url = req.url.replace(/^\/api\//, `/api/v${version}/`);
    next();
  };
}

/** The version a (rewritten) URL addresses. */
export function versionOf(url: string): ApiVersion {
  const match = SEGMENT.exec(url);
  return (match ? Number(match[1]) : 1) as ApiVersion;
}

/** The date headers of each deprecation, formatted once: they are sent with every response of its version. */
const formatted = new WeakMap<Deprecation, { deprecation: string; sunset: string }>();

/** `Deprecation`, `Sunset` and `Link` headers for a response of a deprecated version. */
export function deprecationHeaders(
  deprecation: Deprecation,
  path: string,
): { deprecation: string; sunset: string; link: string } {
  const successor = path.replace(/^\/api\/v\d+\//, `/api/v${deprecation.successor}/`);
  let dates = formatted.get(deprecation);
  if (!dates) {
    dates = {
      deprecation: `@${Math.floor(deprecation.since.getTime() / 1000)}`,
      sunset: deprecation.sunset.toUTCString(),
    };
    formatted.set(deprecation, dates);
  }
  return { ...dates, link: `<${successor}>; rel="successor-version"` };
}
