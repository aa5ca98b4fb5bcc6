import { createHash } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { IdentitySource } from "../auth/caller.js";
import type { Database } from "../db/database.js";
import { openTestDatabase } from "../db/testing.js";
import { ConcurrencyError, NotFoundError } from "../errors.js";
import { createLogger } from "../observability/logger.js";
import { initTracing } from "../observability/tracing.js";
import { listen } from "../runtime.js";
import { createHttpApp } from "./app.js";
import { route } from "./route.js";

initTracing({ serviceName: "kernel-test" });

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

const identity: IdentitySource = async (headers) => {
  const user = headers["x-test-user"];
  return typeof user === "string" ? { userId: user, roles: ["user"], via: "dev-header" } : undefined;
};

describe("http kernel", () => {
  let db: Database;
  let base: string;
  let close: () => Promise<void>;
  const lines: Record<string, unknown>[] = [];
  let slowMs = 0;
  /** Handler runs that got past the idempotency claim into a slow body. */
  let slowRuns = 0;

  beforeAll(async () => {
    db = await openTestDatabase("pglite", []);
    await db.query("CREATE TABLE notes (id SERIAL PRIMARY KEY, owner TEXT, text TEXT UNIQUE, version INT DEFAULT 1)");
    const log = createLogger({
      service: "test",
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    });
    const noteBody = z.strictObject({ text: z.string().min(3).max(20), password: z.string().optional() });
    const routes = [
      route({
        method: "post",
        path: "/notes",
        summary: "Create a note",
        tag: "notes",
        body: noteBody,
        idempotencyKey: true,
        responses: { 201: { description: "created" } },
        handler: async ({ body, caller }) => {
          if (slowMs) {
            slowRuns++;
            await new Promise((r) => setTimeout(r, slowMs));
          }
          const [row] = await db.query<{ id: number }>("INSERT INTO notes (owner, text) VALUES ($1, $2) RETURNING id", [
            caller.userId,
            body.text,
          ]);
          return { status: 201, body: { id: row!.id, text: body.text }, location: `/api/v1/notes/${row!.id}`, etag: 1 };
        },
      }),
      route({
        method: "get",
        path: "/notes/:id",
        summary: "Read a note",
        tag: "notes",
        params: z.object({ id: z.coerce.number().int() }),
        responses: {
          200: {
            description: "the note",
            schema: { 1: z.object({ text: z.string() }), 2: z.object({ content: z.string() }) },
          },
        },
        handler: async ({ params, caller, version }) => {
          const [row] = await db.query<{ text: string; version: number }>(
            "SELECT text, version FROM notes WHERE id = $1 AND owner = $2",
            [params.id, caller.userId],
          );
          if (!row) throw new NotFoundError("note", String(params.id));
          return { status: 200, body: version === 2 ? { content: row.text } : { text: row.text }, etag: row.version };
        },
      }),
      route({
        method: "patch",
        path: "/notes/:id",
        summary: "Change a note",
        tag: "notes",
        ifMatch: "required",
        params: z.object({ id: z.coerce.number().int() }),
        body: noteBody,
        responses: { 200: { description: "changed" } },
        handler: async ({ params, body, ifMatch }) => {
          const rows = await db.query<{ version: number }>(
            "UPDATE notes SET text = $2, version = version + 1 WHERE id = $1 AND version = $3 RETURNING version",
            [params.id, body.text, ifMatch],
          );
          if (rows.length === 0) throw new ConcurrencyError(`note:${params.id}`, ifMatch ?? 0);
          return { status: 200, body: { text: body.text }, etag: rows[0]!.version };
        },
      }),
    ];
    const { app } = createHttpApp({
      service: "test",
      log,
      identity,
      routes,
      db,
      bodyLimit: "1kb",
      idempotency: { inFlightWaitMs: 200 },
      versioning: {
        deprecated: {
          1: { since: new Date("2026-01-01T00:00:00Z"), sunset: new Date("2027-01-01T00:00:00Z"), successor: 2 },
        },
      },
      readiness: [
        { name: "database", ping: () => db.ping() },
        { name: "cache", ping: async () => false, critical: false },
      ],
    });
    const server = await listen(app, 0);
    base = `http://127.0.0.1:${server.port}`;
    close = server.close;
  });
  afterAll(async () => {
    await close?.();
    await db?.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-test-user": "alice", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("answers bad input with 400 problem+json naming every bad field, and writes nothing", async () => {
    const res = await post("/api/v1/notes", { text: "x", extra: 1 });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const problem = await json<{ errors: { field: string }[] }>(res);
    expect(problem).toMatchObject({ status: 400, instance: "/api/v1/notes" });
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(["body.extra", "body.text"]);
    expect(await db.query("SELECT * FROM notes WHERE text = 'x'")).toEqual([]);
  });

  it("answers NUL characters and unpaired surrogates in any field, key or path id with a 400 naming it", async () => {
    for (const [body, field] of [
      ['{"text":"nul\\u0000note"}', "body.text"],
      ['{"text":"lone \\ud800 high"}', "body.text"],
      ['{"text":"lone \\udc00 low"}', "body.text"],
      ['{"text":"fine","password":"x\\u0000"}', "body.password"],
    ] as const) {
      const res = await post("/api/v1/notes", body);
      expect(res.status, body).toBe(400);
      const problem = await json<{ errors: { field: string; message: string }[] }>(res);
      expect(problem.errors, body).toContainEqual({ field, message: expect.stringContaining("NUL") });
    }
    const key = await post("/api/v1/notes", '{"text":"fine","bad\\u0000key":1}');
    expect(key.status).toBe(400);
    const path = await fetch(`${base}/api/v1/notes/%00`, { headers: { "x-test-user": "alice" } });
    expect(path.status).toBe(400);
    expect((await json<{ errors: { field: string }[] }>(path)).errors[0]!.field).toBe("params.id");
    // A surrogate pair (an emoji) is text like any other.
    expect((await post("/api/v1/notes", { text: "ok \u{1F600}" })).status).toBe(201);
    expect(await db.query("SELECT * FROM notes WHERE text LIKE '%nul%' OR text LIKE 'lone%'")).toEqual([]);
  });

  it("answers a body nested deeper than the limit with a 400, not a stack overflow", async () => {
    const deep = `${'{"a":'.repeat(100)}1${"}".repeat(100)}`;
    const res = await post("/api/v1/notes", deep);
    expect(res.status).toBe(400);
    expect((await json(res)).detail).toContain("nests deeper than");
  });

  it("refuses malformed JSON (400) and bodies over the limit (413)", async () => {
    expect((await post("/api/v1/notes", "{nope")).status).toBe(400);
    const big = await post("/api/v1/notes", { text: "a".repeat(2000) });
    expect(big.status).toBe(413);
    expect((await json(big)).detail).toContain("size limit");
  });

  it("needs a caller (401 with WWW-Authenticate) and answers unknown routes with a 404 problem", async () => {
    const res = await fetch(`${base}/api/v1/notes/1`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    const missing = await fetch(`${base}/api/v1/nowhere`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
  });

  it("answers a method a known path does not serve with a 405 problem listing the ones it does", async () => {
    const res = await fetch(`${base}/api/v1/notes/1`, { method: "PUT" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, PATCH");
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await json(res)).detail).toContain("PUT is not served on /api/v1/notes/1");
    expect((await fetch(`${base}/api/v1/notes`, { method: "DELETE" })).headers.get("allow")).toBe("POST");
  });

  it("echoes a valid x-request-id, makes one otherwise, and logs it with the incoming trace id", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await fetch(`${base}/api/v1/notes/999`, {
      headers: {
        "x-request-id": "req-123",
        "x-test-user": "alice",
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        authorization: "Bearer secret-token-value",
      },
    });
    expect(res.headers.get("x-request-id")).toBe("req-123");
    expect((await fetch(`${base}/health/live`)).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const line = lines.find((l) => l.requestId === "req-123" && l.msg === "request");
    expect(line).toMatchObject({ status: 404, traceId, route: "/api/v1/notes/:id" });
    expect(JSON.stringify(lines)).not.toContain("secret-token-value");
  });

  it("versions by URL segment, api-version header or query; v1 is deprecated with a successor link", async () => {
    const created = await json<{ id: number }>(await post("/api/v1/notes", { text: "versioned" }));
    const h = { "x-test-user": "alice" };
    const v1 = await fetch(`${base}/api/v1/notes/${created.id}`, { headers: h });
    expect(await v1.json()).toEqual({ text: "versioned" });
    expect(v1.headers.get("deprecation")).toBe(`@${Date.parse("2026-01-01T00:00:00Z") / 1000}`);
    expect(v1.headers.get("sunset")).toBe("Fri, 01 Jan 2027 00:00:00 GMT");
    expect(v1.headers.get("link")).toBe(`</api/v2/notes/${created.id}>; rel="successor-version"`);
    const v2 = await fetch(`${base}/api/v2/notes/${created.id}`, { headers: h });
    expect(await v2.json()).toEqual({ content: "versioned" });
    expect(v2.headers.get("deprecation")).toBeNull();
    const byHeader = await fetch(`${base}/api/notes/${created.id}`, { headers: { ...h, "api-version": "2" } });
    expect(await byHeader.json()).toEqual({ content: "versioned" });
    const byQuery = await fetch(`${base}/api/notes/${created.id}?api-version=2`, { headers: h });
    expect(await byQuery.json()).toEqual({ content: "versioned" });
    const bad = await fetch(`${base}/api/notes/${created.id}`, { headers: { ...h, "api-version": "9" } });
    expect(bad.status).toBe(400);
  });

  it("concurrent duplicate POSTs with one Idempotency-Key make one resource and identical responses", async () => {
    slowMs = 30;
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post("/api/v1/notes", { text: "only once" }, { "idempotency-key": "k-1" })),
    );
    slowMs = 0;
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(bodies).size).toBe(1);
    expect(new Set(responses.map((r) => r.headers.get("location"))).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(4);
    expect(await db.query("SELECT id FROM notes WHERE text = 'only once'")).toHaveLength(1);
  });

  it("the same key with another body is a 422; another caller's identical key is independent", async () => {
    await post("/api/v1/notes", { text: "first body" }, { "idempotency-key": "k-2" });
    const reused = await post("/api/v1/notes", { text: "other body" }, { "idempotency-key": "k-2" });
    expect(reused.status).toBe(422);
    const bob = await post("/api/v1/notes", { text: "bob body" }, { "idempotency-key": "k-2", "x-test-user": "bob" });
    expect(bob.status).toBe(201);
  });

  it("a retry while the first request is still running is a 409 with Retry-After", async () => {
    slowMs = 600;
    const runsBefore = slowRuns;
    const first = post("/api/v1/notes", { text: "slow one" }, { "idempotency-key": "k-3" });
    // Wait until the first request holds the key; a fixed pause could let the retry claim it first on a busy machine.
    await expect.poll(() => slowRuns, { interval: 5 }).toBe(runsBefore + 1);
    const second = await post("/api/v1/notes", { text: "slow one" }, { "idempotency-key": "k-3" });
    expect(second.status).toBe(409);
    expect(second.headers.get("retry-after")).toBe("1");
    expect((await first).status).toBe(201);
    slowMs = 0;
  });

  it("a failed request's problem is replayed too (a unique-name conflict stays a 409)", async () => {
    await post("/api/v1/notes", { text: "taken" });
    const a = await post("/api/v1/notes", { text: "taken" }, { "idempotency-key": "k-4" });
    const b = await post("/api/v1/notes", { text: "taken" }, { "idempotency-key": "k-4" });
    expect([a.status, b.status]).toEqual([409, 409]);
    expect(b.headers.get("idempotent-replayed")).toBe("true");
  });

  it("updates need If-Match (428); a stale one is a 412 and the newer change survives", async () => {
    const { id } = await json<{ id: number }>(await post("/api/v1/notes", { text: "v1 text" }));
    const url = `${base}/api/v1/notes/${id}`;
    const patch = (text: string, ifMatch?: string) =>
      fetch(url, {
        method: "PATCH",
        headers: {
          "content-type": "application/json",
          "x-test-user": "alice",
          ...(ifMatch ? { "if-match": ifMatch } : {}),
        },
        body: JSON.stringify({ text }),
      });
    expect((await patch("no precondition")).status).toBe(428);
    const ok = await patch("v2 text", '"1"');
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe('"2"');
    expect((await patch("lost update", '"1"')).status).toBe(412);
    // If-Match compares strongly (RFC 9110 §13.1.1): a weak validator never matches, even the current one.
    const weak = await patch("weak match", 'W/"2"');
    expect(weak.status).toBe(412);
    expect(((await weak.json()) as { detail: string }).detail).toContain("weak");
    const read = await fetch(url, { headers: { "x-test-user": "alice" } });
    expect(await read.json()).toEqual({ text: "v2 text" });
  });

  it("health: live is 200; ready reports each check and ignores a non-critical one that is down", async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ok", checks: { database: "ok", cache: "degraded" } });
  });

  it("answers a body that is not JSON with 415, naming the type it takes", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/xml"]) {
      const res = await fetch(`${base}/api/v1/notes`, {
        method: "POST",
        headers: { "content-type": type, "x-test-user": "alice" },
        body: "text=hello",
      });
      expect(res.status, type).toBe(415);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(((await res.json()) as { detail: string }).detail).toContain("application/json");
    }
    const missing = await fetch(`${base}/api/v1/notes`, {
      method: "POST",
      headers: { "x-test-user": "alice" },
      body: '{"text":"hello"}',
    });
    expect(missing.status).toBe(415);
  });

  it("serves a docs page whose openapi.json link works, under a policy that allows only its own script", async () => {
    const page = await fetch(`${base}/api/docs`);
    const html = await page.text();
    const href = /<a href="([^"]+)">openapi.json<\/a>/.exec(html)![1]!;
    const linked = await fetch(new URL(href, `${base}/api/docs`));
    expect(linked.status).toBe(200);
    expect(((await linked.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!;
    const hash = createHash("sha256").update(script).digest("base64");
    expect(page.headers.get("content-security-policy")).toContain(`script-src 'sha256-${hash}'`);
  });

  it("serves Prometheus metrics by route template and status", async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/api\/v1\/notes\/:id"[^}]*status="404"/);
    expect(text).toContain("http_request_duration_seconds_bucket");
  });
});
