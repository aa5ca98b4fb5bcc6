import type { Express, RequestHandler } from "express";
import { AppError } from "../errors.js";

/**
 * A known path asked with a method it does not serve is a 405 naming the methods it does
 * (`Allow`), not a 404 that reads as if the path did not exist. Runs after every route, so
 * it only sees requests nothing answered.
 */

interface StackLayer {
  match(path: string): false | { readonly path: string };
  readonly route?: { readonly methods: Record<string, boolean> };
  readonly handle?: { readonly stack?: readonly StackLayer[] };
}

function collectMethods(stack: readonly StackLayer[], path: string, into: Set<string>): void {
  for (const layer of stack) {
    const matched = layer.match(path);
    if (!matched) continue;
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) if (on) into.add(method);
    } else if (layer.handle?.stack && matched.path === "") {
      // A router mounted at the root sees the same path.
      collectMethods(layer.handle.stack, path, into);
    }
  }
}

export function allowedMethods(app: Express, path: string): string[] {
  const methods = new Set<string>();
  collectMethods((app.router as unknown as { stack: StackLayer[] }).stack, path, methods);
  // A route for every method (the gateway's proxy) means any method is served there.
  if (methods.has("_all")) return [];
  if (methods.has("get")) methods.add("head");
  return [...methods].map((m) => m.toUpperCase()).sort();
}

export function methodNotAllowed(app: Express): RequestHandler {
  return (req, res, next) => {
    const allow = allowedMethods(app, req.path);
    if (allow.length === 0 || allow.includes(req.method)) return next();
    res.setHeader("allow", allow.join(", "));
    next(
      new AppError(405, "method-not-allowed", `${req.method} is not served on ${req.path}; use ${allow.join(", ")}`),
    );
  };
}
