import { randomUUID } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMode, startLocalMode } from "./local-process.js";

/**
 * What one signed-in caller can do to everyone else, tried against a real local mode through
 * its gateway: bad input of every kind the services refuse must stay that caller's 4xx, never
 * a 5xx and never an open circuit for the others.
 */

let local: LocalMode;
beforeAll(async () => {
  local = await startLocalMode();
}, 90_000);
afterAll(async () => {
  await local?.stop();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, path: string, token?: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${local.base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function signUp(name: string): Promise<{ token: string; id: string }> {
  const account = { email: `${name}-${randomUUID().slice(0, 8)}@example.test`, password: "a long enough passphrase" };
  const registered = await call("POST", "/api/v1/auth/register", undefined, { ...account, displayName: name });
  expect(registered.status).toBe(201);
  const token = (await call("POST", "/api/v1/auth/login", undefined, account)).body.accessToken as string;
  await expect.poll(async () => (await call("GET", "/api/v1/users/me", token)).status, { timeout: 5_000 }).toBe(200);
  return { token, id: registered.body.id as string };
}

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

describe("one caller's bad requests stay that caller's problem", () => {
  it("100 bad requests from one caller leave another caller's requests at 100 % success", async () => {
    const mallory = await signUp("Mallory");
    const alice = await signUp("Alice");
    const org = await call("POST", "/api/v1/organizations", alice.token, { name: `Acme ${randomUUID()}` });
    const project = await call("POST", `/api/v1/organizations/${org.body.id}/projects`, alice.token, {
      name: "Project one",
    });
    expect(project.status).toBe(201);

    // The kinds of request that opened the circuit: text the database refuses, a project that
    // does not exist (a wait inside the service), a body nested 5,000 deep.
    const bad: (() => Promise<Answer>)[] = [
      () => call("POST", "/api/v1/organizations", mallory.token, { name: "nul\u0000org" }),
      () => call("POST", "/api/v1/boards", mallory.token, { projectId: randomUUID(), name: "Board one" }),
      () => call("POST", "/api/v1/organizations", mallory.token, nested(5_000)),
      () => call("PATCH", "/api/v1/users/me", mallory.token, { displayName: "lone \ud800" }),
      () => call("DELETE", "/api/v1/api-keys/%00", mallory.token),
    ];
    const statuses: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 100; i++) statuses.push((await bad[i % bad.length]!()).status);
    const badMs = performance.now() - started;
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s >= 400 && s < 500)).toBe(true);

    let ok = 0;
    for (let i = 0; i < 20; i++) {
      const me = await call("GET", "/api/v1/users/me", alice.token);
      const boards = await call("GET", "/api/v1/boards", alice.token);
      const dashboard = await call("GET", "/api/v1/dashboard", alice.token);
      ok += [me, boards, dashboard].filter((a) => a.status === 200 && a.body.partial !== true).length;
    }
    expect(ok).toBe(60);
    const board = await call("POST", "/api/v1/boards", alice.token, { projectId: project.body.id, name: "Sprint" });
    expect(board.status).toBe(201);
    console.info(`[hardening] 100 bad requests in ${Math.round(badMs)} ms; the other caller: ${ok}/60 ok`);
  }, 90_000);

  it("a project that does not exist is a prompt 404 through the gateway", async () => {
    const { token } = await signUp("Carol");
    const started = performance.now();
    const res = await call("POST", "/api/v1/boards", token, { projectId: randomUUID(), name: "Nowhere" });
    expect(res.status).toBe(404);
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it("NUL and unpaired surrogates are a 400 naming the field on every route that stores text", async () => {
    const { token } = await signUp("Dave");
    const org = await call("POST", "/api/v1/organizations", token, { name: `Org ${randomUUID()}` });
    const project = await call("POST", `/api/v1/organizations/${org.body.id}/projects`, token, { name: "Project one" });
    const board = await call("POST", "/api/v1/boards", token, { projectId: project.body.id, name: "Board one" });
    const card = await call("POST", `/api/v1/boards/${board.body.id}/cards`, token, { name: "To do", type: "todo" });
    const task = await call("POST", `/api/v1/boards/${board.body.id}/tasks`, token, {
      cardId: card.body.id,
      title: "Task one",
    });
    expect(task.status).toBe(201);
    const cases: [string, string, unknown, string][] = [
      [
        "POST",
        "/api/v1/auth/register",
        { email: "x@example.test", password: "long enough pw", displayName: "a\u0000b" },
        "body.displayName",
      ],
      ["POST", "/api/v1/organizations", { name: "nul\u0000org" }, "body.name"],
      ["POST", "/api/v1/boards", { projectId: project.body.id, name: "b\ud800" }, "body.name"],
      ["POST", `/api/v1/boards/${board.body.id}/tasks`, { cardId: card.body.id, title: "t\u0000" }, "body.title"],
      ["POST", `/api/v1/tasks/${task.body.id}/comments`, { body: "c\udc00" }, "body.body"],
      ["POST", "/api/v1/api-keys", { name: "k\u0000", scopes: ["tasks:read"] }, "body.name"],
      ["DELETE", "/api/v1/api-keys/%00", undefined, "params.id"],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await call(method, path, method === "POST" && path.includes("register") ? undefined : token, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.body.errors, `${method} ${path}`).toContainEqual({ field, message: expect.stringContaining("NUL") });
    }
  });

  it("a body nested 5,000 deep is a 400 through the gateway, as it is sent straight to the service", async () => {
    const { token } = await signUp("Erin");
    const direct = await fetch(`http://127.0.0.1:${local.ports.users}/api/v1/organizations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: nested(5_000),
    });
    expect(direct.status).toBe(400);
    const res = await call("POST", "/api/v1/organizations", token, nested(5_000));
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain("nests deeper than");
  });
});

describe("local mode", () => {
  it("refuses the dev identity header unless DEV_IDENTITY=on: no token, no caller", async () => {
    for (const [port, path] of [
      [local.ports.users, "/api/v1/users/me"],
      [local.ports.tasks, "/api/v1/boards"],
    ] as const) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { "x-dev-user": "anyone", "x-dev-roles": "admin" },
      });
      expect(res.status).toBe(401);
    }
  });

  it("keeps its data readable by its user only: files 0600, folders 0700", async () => {
    const root = join(local.dir, ".taskflow");
    const modes: string[] = [];
    const walk = async (path: string): Promise<void> => {
      const info = await stat(path);
      modes.push(`${(info.mode & 0o777).toString(8)} ${info.isDirectory() ? "dir" : "file"}`);
      if (info.isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
    };
    await walk(root);
    expect(modes.length).toBeGreaterThan(10);
    expect(modes.filter((m) => m !== "700 dir" && m !== "600 file")).toEqual([]);
  });
});

/**
 * How long after a sign-out or a revocation a token may still be accepted somewhere: the
 * verifiers' revocation poll (`services/kernel/auth/revocations.ts`) plus a margin for this
 * shared machine.
 */
const REVOCATION_WINDOW_MS = 5_000;

/** Every place that verifies tokens: the gateway, and each service's own port. */
function verifiers(): [string, string][] {
  return [
    [local.base, "/api/v1/users/me"],
    [`http://127.0.0.1:${local.ports.users}`, "/api/v1/users/me"],
    [`http://127.0.0.1:${local.ports.tasks}`, "/api/v1/boards"],
    [`http://127.0.0.1:${local.ports.notifications}`, "/api/v1/notifications"],
    [`http://127.0.0.1:${local.ports.identity}`, "/api/v1/api-keys"],
  ];
}

async function statusAt(base: string, path: string, token: string): Promise<number> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return res.status;
}

/** Waits until every verifier refuses the token; how long that took, or a failure naming who still accepts it. */
async function refusedEverywhere(token: string, paths = verifiers()): Promise<number> {
  const started = performance.now();
  for (;;) {
    const statuses = await Promise.all(paths.map(([base, path]) => statusAt(base, path, token)));
    if (statuses.every((s) => s === 401)) return performance.now() - started;
    if (performance.now() - started > REVOCATION_WINDOW_MS) {
      const accepting = paths.filter((_, i) => statuses[i] !== 401).map(([base, path]) => `${base}${path}`);
      throw new Error(`still accepted ${REVOCATION_WINDOW_MS} ms after the revocation by: ${accepting.join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function signIn(name: string) {
  const account = { email: `${name}-${randomUUID().slice(0, 8)}@example.test`, password: "a long enough passphrase" };
  expect((await call("POST", "/api/v1/auth/register", undefined, { ...account, displayName: name })).status).toBe(201);
  const login = async () => {
    const pair = await call("POST", "/api/v1/auth/login", undefined, account);
    expect(pair.status).toBe(200);
    return { access: pair.body.accessToken as string, refresh: pair.body.refreshToken as string };
  };
  const first = await login();
  await expect
    .poll(async () => (await call("GET", "/api/v1/users/me", first.access)).status, { timeout: 5_000 })
    .toBe(200);
  return { account, first, login };
}

describe("sessions and keys end when they say they end", () => {
  it("sign-out refuses that session's access token at the gateway and at every service; another session lives on", async () => {
    const { first, login } = await signIn("Frank");
    const other = await login();
    for (const [base, path] of verifiers())
      expect(await statusAt(base, path, first.access), `${base}${path}`).toBe(200);
    expect((await call("POST", "/api/v1/auth/logout", undefined, { refreshToken: first.refresh })).status).toBe(204);
    const ms = await refusedEverywhere(first.access);
    const refused = await call("POST", "/api/v1/organizations", first.access, { name: `Org ${randomUUID()}` });
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toMatch(/signed out|ended/);
    for (const [base, path] of verifiers())
      expect(await statusAt(base, path, other.access), `${base}${path}`).toBe(200);
    console.info(`[hardening] a signed-out session's token refused everywhere after ${Math.round(ms)} ms`);
  }, 30_000);

  it("a reused refresh token ends every access token of that login, the rotated one included", async () => {
    const { first } = await signIn("Grace");
    const rotated = await call("POST", "/api/v1/auth/refresh", undefined, { refreshToken: first.refresh });
    expect(rotated.status).toBe(200);
    const reuse = await call("POST", "/api/v1/auth/refresh", undefined, { refreshToken: first.refresh });
    expect(reuse.status).toBe(401);
    await refusedEverywhere(first.access);
    await refusedEverywhere(rotated.body.accessToken as string);
  }, 30_000);

  it("a token exchanged from an API key stops working when the key is revoked, for reads and writes", async () => {
    const { first } = await signIn("Heidi");
    const key = await call("POST", "/api/v1/api-keys", first.access, {
      name: "ci",
      scopes: ["tasks:read", "tasks:write"],
    });
    expect(key.status).toBe(201);
    const exchanged = await call("POST", "/api/v1/auth/token", undefined, { apiKey: key.body.key });
    expect(exchanged.status).toBe(200);
    const token = exchanged.body.accessToken as string;
    const tasks = `http://127.0.0.1:${local.ports.tasks}`;
    expect(await statusAt(local.base, "/api/v1/boards", token)).toBe(200);
    expect(await statusAt(tasks, "/api/v1/boards", token)).toBe(200);
    expect((await call("DELETE", `/api/v1/api-keys/${key.body.id}`, first.access)).status).toBe(204);
    const ms = await refusedEverywhere(token, [
      [local.base, "/api/v1/boards"],
      [tasks, "/api/v1/boards"],
    ]);
    const write = await call("POST", "/api/v1/boards", token, { projectId: randomUUID(), name: "After revocation" });
    expect(write.status).toBe(401);
    expect(write.body.detail).toMatch(/revoked/);
    expect(await statusAt(local.base, "/api/v1/users/me", first.access)).toBe(200);
    console.info(`[hardening] a revoked key's exchanged token refused after ${Math.round(ms)} ms`);
  }, 30_000);
});
