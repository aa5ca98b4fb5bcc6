import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.js";
import { openTestDatabase, postgresGate } from "../db/testing.js";
import { UPSTREAM_TIMEOUT_MS } from "../resilience.js";

/**
 * A service process killed with SIGKILL in the middle of an `Idempotency-Key` request, on a
 * real PostgreSQL, then the client's retry with the same key to a fresh process: exactly one
 * effect, and the retry gets the first run's answer (or a prompt 409 while the first run's
 * fate is unknown), never a duplicate and never a wait the gateway would time out.
 */
const FIXTURE = fileURLToPath(new URL("./crash-fixture.ts", import.meta.url));
const STALE_AFTER_MS = 3_000;
const skip = await postgresGate();

interface Fixture {
  base: string;
  exited: Promise<number | null>;
  child: ChildProcess;
}

describe.skipIf(skip)("Idempotency-Key across a crash (PostgreSQL)", () => {
  let db: Database;
  let url: string;
  const running: Fixture[] = [];

  beforeAll(async () => {
    db = await openTestDatabase("postgres", []);
    await db.query("CREATE TABLE comments (id SERIAL PRIMARY KEY, body TEXT NOT NULL)");
    const [row] = await db.query<{ name: string }>("SELECT current_database() AS name");
    url = `postgres://postgres@127.0.0.1:5432/${row!.name}`;
  });
  afterAll(async () => {
    for (const fixture of running) fixture.child.kill("SIGKILL");
    await db?.close();
  });

  async function start(): Promise<Fixture> {
    const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), FIXTURE], {
      env: { ...process.env, DATABASE_URL: url, STALE_AFTER_MS: String(STALE_AFTER_MS) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (chunk) => {
        out += String(chunk);
        const match = /listening (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      exited.then(() => reject(new Error(`fixture exited before listening: ${out}`)));
    });
    const fixture = { base: `http://127.0.0.1:${port}`, exited, child };
    running.push(fixture);
    // Warm: the timings below are of the retry, not of a cold process's first connection.
    await fetch(`${fixture.base}/health/ready`);
    return fixture;
  }

  const post = (fixture: Fixture, key: string, body: string, crash?: string) =>
    fetch(`${fixture.base}/api/v1/comments`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-test-user": "alice",
        "idempotency-key": key,
        ...(crash ? { "x-crash": crash } : {}),
      },
      body: JSON.stringify({ body }),
    });
  const count = async (body: string) =>
    Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM comments WHERE body = $1", [body]))[0]!.n);

  it("a crash after the commit: the retry replays the first run's 201 at once, and there is one comment", async () => {
    const key = randomUUID();
    const body = `after-commit ${key}`;
    const first = await start();
    await expect(post(first, key, body, "after-commit")).rejects.toThrow();
    await first.exited;
    expect(await count(body)).toBe(1);

    const second = await start();
    const started = performance.now();
    const retry = await post(second, key, body);
    expect(performance.now() - started).toBeLessThan(UPSTREAM_TIMEOUT_MS / 2);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const [row] = await db.query<{ id: number }>("SELECT id FROM comments WHERE body = $1", [body]);
    expect(await retry.json()).toEqual({ id: row!.id, body });
    const again = await post(second, key, body);
    expect(again.status).toBe(201);
    expect(await count(body)).toBe(1);
  }, 60_000);

  it("a crash before the commit: a prompt 409 while the claim is fresh, then one run once it is stale", async () => {
    const key = randomUUID();
    const body = `before-commit ${key}`;
    const [first, second] = await Promise.all([start(), start()]);
    await expect(post(first, key, body, "before-commit")).rejects.toThrow();
    await first.exited;
    expect(await count(body)).toBe(0);

    const started = performance.now();
    const busy = await post(second, key, body);
    expect(performance.now() - started).toBeLessThan(UPSTREAM_TIMEOUT_MS / 2);
    expect(busy.status).toBe(409);
    expect(busy.headers.get("content-type")).toContain("application/problem+json");

    await new Promise((resolve) => setTimeout(resolve, STALE_AFTER_MS));
    const taken = await post(second, key, body);
    expect(taken.status).toBe(201);
    expect((await post(second, key, body)).headers.get("idempotent-replayed")).toBe("true");
    expect(await count(body)).toBe(1);
  }, 60_000);
});
