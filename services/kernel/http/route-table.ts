import type { Express } from "express";

/**
 * The routes an app really serves and the operations its OpenAPI document lists, both as
 * "method /api/v1/path/{param}" strings, so a test can prove the document lists every route.
 */

interface ListedRoute {
  readonly path: unknown;
  readonly methods?: readonly string[];
  readonly router?: { listRoutes(): ListedRoute[] };
}

export function servedApiRoutes(app: Express): Set<string> {
  const served = new Set<string>();
  const walk = (routes: readonly ListedRoute[]) => {
    for (const route of routes) {
      if (route.router) walk(route.router.listRoutes());
      else if (typeof route.path === "string" && route.path.startsWith("/api/v")) {
        for (const method of route.methods ?? []) {
          if (method !== "HEAD") served.add(`${method.toLowerCase()} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
        }
      }
    }
  };
  walk((app.router as unknown as { listRoutes(): ListedRoute[] }).listRoutes());
  return served;
}

export function documentedOperations(doc: { paths: Record<string, object> }): Set<string> {
  return new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
}
