import { platform, type ServiceName } from "../platform.js";
import { VIEWS } from "./views.js";

/**
 * What the gateway serves, derived from `services/platform.ts`: every route prefix a service
 * declares becomes a proxied route under `/api/v<n>`, plus the composed views the gateway
 * answers itself. The authorization matrix test walks this table, so a route added to the
 * platform declaration is tested the moment it exists.
 */

/** Who may call a route: anyone, any signed-in caller, or an admin only. */
export type Access = "public" | "user" | "admin";

export interface GatewayRoute {
  /** Path under `/api/v<n>`, e.g. `/boards`; views use `:id` for a path segment. */
  readonly path: string;
  readonly kind: "proxy" | "view";
  /** The upstream a proxied route forwards to; the upstreams a view reads from. */
  readonly services: readonly ServiceName[];
  readonly access: Access;
  /**
   * Scopes an API-key token needs for reads (GET, HEAD) and for writes. Absent: API-key
   * tokens are refused, so a leaked key can never manage keys or sessions.
   */
  readonly scopes?: { readonly read: readonly string[]; readonly write: readonly string[] };
}

/**
 * Paths whose access differs from their service's default. Identity's own sign-in routes are
 * public by nature; listing accounts is for admins.
 */
const ACCESS_OVERRIDES: Readonly<Record<string, Access>> = {
  "/auth/register": "public",
  "/auth/login": "public",
  "/auth/refresh": "public",
  "/auth/logout": "public",
  "/auth/token": "public",
  "/auth/accounts": "admin",
  "/.well-known": "public",
};

/** Services whose routes API keys may reach, with `<service>:read` / `<service>:write`. */
const SCOPED_SERVICES: readonly ServiceName[] = ["tasks", "users", "notifications"];

const scopesOf = (services: readonly ServiceName[]) => ({
  read: services.map((s) => `${s}:read`),
  write: services.map((s) => `${s}:write`),
});

function buildRoutes(): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const service of platform.services) {
    const scoped = SCOPED_SERVICES.includes(service.name);
    for (const path of service.routes) {
      routes.push({
        path,
        kind: "proxy",
        services: [service.name],
        access: ACCESS_OVERRIDES[path] ?? "user",
        ...(scoped ? { scopes: scopesOf([service.name]) } : {}),
      });
    }
  }
  for (const [path, access] of Object.entries(ACCESS_OVERRIDES)) {
    if (routes.some((r) => r.path === path)) continue;
    const owner = routes.find((r) => path.startsWith(`${r.path}/`));
    if (owner) routes.push({ ...owner, path, access });
  }
  for (const view of VIEWS) {
    const services = [...new Set(view.parts.map((p) => p.service))];
    const { read } = scopesOf(services);
    // A view only reads, so an API key needs the read scopes of every upstream it touches.
    routes.push({ path: view.path, kind: "view", services, access: "user", scopes: { read, write: read } });
  }
  return routes;
}

export const GATEWAY_ROUTES: readonly GatewayRoute[] = buildRoutes();

const segments = (path: string) => path.split("/").filter(Boolean);

/** Matches one route pattern against a path's segments; `:x` matches one segment. */
function matches(route: GatewayRoute, parts: readonly string[]): boolean {
  const pattern = segments(route.path);
  if (route.kind === "view" ? parts.length !== pattern.length : parts.length < pattern.length) return false;
  return pattern.every((p, i) => p.startsWith(":") || p === parts[i]);
}

/**
 * The route for a path below the version segment (`/boards/b1/cards`): views first, then the
 * longest proxy prefix, so `/auth/login` wins over `/auth`.
 */
export function matchRoute(path: string): GatewayRoute | undefined {
  const parts = segments(path);
  let best: GatewayRoute | undefined;
  for (const route of GATEWAY_ROUTES) {
    if (!matches(route, parts)) continue;
    if (route.kind === "view") return route;
    if (!best || segments(route.path).length > segments(best.path).length) best = route;
  }
  return best;
}

/** Splits `/api/v2/boards/x` into version 2 and `/boards/x`; undefined for other paths. */
export function splitVersion(path: string): { version: number; rest: string } | undefined {
  const match = /^\/api\/v(\d+)(\/.*)?$/.exec(path);
  if (!match) return undefined;
  return { version: Number(match[1]), rest: match[2] ?? "/" };
}

export function isWrite(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}
