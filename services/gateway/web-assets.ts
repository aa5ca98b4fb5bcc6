import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Express, type Request } from "express";

/**
 * Serves the web app's build (`web/dist`) at `/`: hashed files under `/assets/` are cached
 * for a year (a new build has new names), `index.html` is revalidated every time and answers
 * every client route (`/boards/…`) so a reload or a shared link opens the app. The page gets
 * a strict Content-Security-Policy: scripts, styles and requests from this origin only.
 */

export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Beside the sources (`web/dist`) or, in the image, beside the bundles (`dist/web/dist`). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** Paths that belong to the API and operations, never to the app. */
const NOT_THE_APP = /^\/(api|health|metrics|\.well-known)(\/|$)/;

export function mountWebApp(app: Express, dir: string = DEFAULT_WEB_DIR): boolean {
  const index = join(dir, "index.html");
  if (!existsSync(index)) return false;
  const page = (res: express.Response) => {
    res.setHeader("content-security-policy", WEB_CSP);
    res.setHeader("cache-control", "no-cache");
  };
  app.use(
    "/assets",
    express.static(join(dir, "assets"), { immutable: true, maxAge: "365d", index: false, fallthrough: false }),
  );
  app.use(
    express.static(dir, {
      index: false,
      setHeaders: (res, path) => {
        if (path.endsWith(".html")) page(res as unknown as express.Response);
        else res.setHeader("cache-control", "public, max-age=3600");
      },
    }),
  );
  const wantsPage = (req: Request) =>
    (req.method === "GET" || req.method === "HEAD") &&
    !NOT_THE_APP.test(req.path) &&
    req.accepts(["html", "json"]) === "html";
  app.use((req, res, next) => {
    if (!wantsPage(req)) return next();
    page(res);
    res.sendFile(index);
  });
  return true;
}
