import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devHeaderIdentitySource } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { openTestDatabase } from "../../kernel/db/testing.js";
import { documentedOperations, servedApiRoutes } from "../../kernel/http/route-table.js";
import { type DevUserCall, devUserCall } from "../../kernel/http/test-client.js";
import { createLogger } from "../../kernel/observability/logger.js";
import { listen } from "../../kernel/runtime.js";
import { createUsersApp, USERS_MIGRATIONS } from "../service.js";

describe("users HTTP API", () => {
  let db: Database;
  let base: string;
  let app: ReturnType<typeof createUsersApp>;
  let close: () => Promise<void>;
  let call: DevUserCall;

  beforeAll(async () => {
    db = await openTestDatabase("pglite", [USERS_MIGRATIONS]);
    app = createUsersApp({
      db,
      log: createLogger({ service: "users", level: "silent" }),
      identity: devHeaderIdentitySource(),
    });
    const server = await listen(app.app, 0);
    base = `http://127.0.0.1:${server.port}`;
    call = devUserCall(base);
    close = server.close;
  });
  afterAll(async () => {
    await close?.();
    await db?.close();
  });

  it("walks every endpoint: profile, organizations, projects", async () => {
    const me = `user-${randomUUID()}`;
    expect((await call(me, "GET", "/api/v1/users/me")).status).toBe(404);
    const profile = await call(me, "POST", "/api/v1/users", {
      email: `${me}@example.com`,
      displayName: "Ada Lovelace",
    });
    expect(profile).toMatchObject({ status: 201, body: { id: me, displayName: "Ada Lovelace" } });
    expect(profile.headers.get("location")).toBe("/api/v1/users/me");
    expect((await call(me, "POST", "/api/v1/users", { email: `${me}@example.com`, displayName: "Ada" })).status).toBe(
      409,
    );
    const renamed = await call(me, "PATCH", "/api/v1/users/me", { displayName: "Countess Ada" }, { "if-match": '"1"' });
    expect(renamed.body).toMatchObject({ displayName: "Countess Ada", version: 2 });
    expect((await call(me, "GET", "/api/v1/users/me")).body).toMatchObject({ displayName: "Countess Ada" });

    const org = await call(me, "POST", "/api/v1/organizations", { name: "Analytical", description: "Engines" });
    expect(org.status).toBe(201);
    expect(org.headers.get("location")).toBe(`/api/v1/organizations/${org.body.id}`);
    expect((await call(me, "GET", "/api/v1/organizations")).body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    expect((await call(me, "GET", `/api/v1/organizations/${org.body.id}`)).body).toMatchObject({ name: "Analytical" });
    const orgPatched = await call(
      me,
      "PATCH",
      `/api/v1/organizations/${org.body.id}`,
      { description: null },
      { "if-match": '"1"' },
    );
    expect(orgPatched.body).toMatchObject({ description: null, version: 2 });

    const project = await call(me, "POST", `/api/v1/organizations/${org.body.id}/projects`, { name: "Difference" });
    expect(project.status).toBe(201);
    expect((await call(me, "GET", `/api/v1/organizations/${org.body.id}/projects`)).body).toMatchObject({ total: 1 });
    expect((await call(me, "GET", `/api/v1/projects/${project.body.id}`)).body).toMatchObject({ name: "Difference" });
    const stale = await call(
      me,
      "PATCH",
      `/api/v1/projects/${project.body.id}`,
      { name: "Analytical" },
      { "if-match": '"9"' },
    );
    expect(stale.status).toBe(412);
    const projPatched = await call(
      me,
      "PATCH",
      `/api/v1/projects/${project.body.id}`,
      { name: "Analytical" },
      { "if-match": '"1"' },
    );
    expect(projPatched.body).toMatchObject({ name: "Analytical", version: 2 });
    expect((await call(me, "DELETE", `/api/v1/projects/${project.body.id}`)).status).toBe(428);
    expect(
      (await call(me, "DELETE", `/api/v1/projects/${project.body.id}`, undefined, { "if-match": '"2"' })).status,
    ).toBe(204);
    expect(
      (await call(me, "DELETE", `/api/v1/organizations/${org.body.id}`, undefined, { "if-match": '"2"' })).status,
    ).toBe(204);
    expect((await call(me, "GET", `/api/v1/organizations/${org.body.id}`)).status).toBe(404);
    // Every change is an event on user-events, through the outbox.
    const [outbox] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE topic = 'user-events'");
    expect(outbox!.n).toBeGreaterThanOrEqual(8);
  });

  it("bad input is a 400 naming each field, and nothing is written", async () => {
    const me = `user-${randomUUID()}`;
    const [before] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events");
    const bad = await call(me, "POST", "/api/v1/organizations", {
      name: "ab",
      description: "x".repeat(101),
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(new Set((bad.body.errors as { field: string }[]).map((e) => e.field))).toEqual(
      new Set(["body.name", "body.description", "body.extra"]),
    );
    expect((await call(me, "POST", "/api/v1/users", { email: "not-an-email", displayName: "Al" })).status).toBe(400);
    expect((await call(me, "GET", "/api/v1/projects/not-a-uuid")).status).toBe(400);
    const same = await call(me, "POST", "/api/v1/organizations", { name: "Same", description: "same" });
    expect(same.status).toBe(422);
    const [after] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events");
    expect(after!.n).toBe(before!.n);
  });

  it("another user's organizations and projects are 404s; duplicates with one Idempotency-Key make one", async () => {
    const owner = `owner-${randomUUID()}`;
    const key = randomUUID();
    const responses = await Promise.all(
      [1, 2, 3].map(() =>
        call(owner, "POST", "/api/v1/organizations", { name: "Once Ltd" }, { "idempotency-key": key }),
      ),
    );
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect((await call(owner, "GET", "/api/v1/organizations")).body).toMatchObject({ total: 1 });
    const org = responses[0]!.body;
    const project = (await call(owner, "POST", `/api/v1/organizations/${org.id}/projects`, { name: "Hidden" })).body;
    for (const [method, path, body] of [
      ["GET", `/api/v1/organizations/${org.id}`],
      ["PATCH", `/api/v1/organizations/${org.id}`, { name: "Taken" }],
      ["DELETE", `/api/v1/organizations/${org.id}`],
      ["GET", `/api/v1/organizations/${org.id}/projects`],
      ["POST", `/api/v1/organizations/${org.id}/projects`, { name: "Mine" }],
      ["GET", `/api/v1/projects/${project.id}`],
      ["PATCH", `/api/v1/projects/${project.id}`, { name: "Mine" }],
      ["DELETE", `/api/v1/projects/${project.id}`],
    ] as [string, string, unknown?][]) {
      expect((await call("intruder", method, path, body, { "if-match": '"1"' })).status, `${method} ${path}`).toBe(404);
    }
    expect((await call("intruder", "GET", "/api/v1/organizations")).body).toMatchObject({ total: 0 });
  });

  it("the OpenAPI document is valid and lists every route the service serves", async () => {
    const doc = (await (await fetch(`${base}/api/docs/openapi.json`)).json()) as { paths: Record<string, object> };
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    expect(result.valid).toBe(true);
    const served = servedApiRoutes(app.app);
    const documented = documentedOperations(doc as { paths: Record<string, object> });
    expect(served.size).toBe(15);
    expect(documented).toEqual(served);
  });
});
