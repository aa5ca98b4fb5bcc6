import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../kernel/runtime.js";
import { mountWebApp, WEB_CSP } from "./web-assets.js";

describe("gateway: the web app's files", () => {
  let dir: string;
  let base: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-web-"));
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), "<!doctype html><title>TaskFlow</title>");
    await writeFile(join(dir, "assets", "index-abc123.js"), "console.log(1)");
    const app = express();
    app.get("/api/v1/boards", (_req, res) => {
      res.json({ items: [] });
    });
    expect(mountWebApp(app, dir)).toBe(true);
    const server = await listen(app, 0);
    base = `http://127.0.0.1:${server.port}`;
    close = server.close;
  });
  afterAll(async () => {
    await close?.();
    await rm(dir, { recursive: true, force: true });
  });

  const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

  it("serves index.html at / and for every client route, revalidated, under a strict CSP", async () => {
    for (const path of ["/", "/boards/5b3e", "/settings/api-keys?x=1"]) {
      const res = await fetch(`${base}${path}`, { headers: html });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("<title>TaskFlow</title>");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toBe(WEB_CSP);
    }
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).not.toContain("unsafe-inline");
  });

  it("caches hashed assets for a year and answers a missing one with a 404, not the page", async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${base}/assets/gone-000.js`, { headers: html })).status).toBe(404);
  });

  it("leaves the API, health and JSON requests alone", async () => {
    expect(await (await fetch(`${base}/api/v1/boards`, { headers: html })).json()).toEqual({ items: [] });
    expect((await fetch(`${base}/api/v1/nothing`, { headers: html })).status).toBe(404);
    expect((await fetch(`${base}/health/ready`, { headers: html })).status).toBe(404);
    expect((await fetch(`${base}/boards/5b3e`, { headers: { accept: "application/json" } })).status).toBe(404);
  });

  it("serves nothing when there is no build", () => {
    expect(mountWebApp(express(), join(dir, "missing"))).toBe(false);
  });
});
