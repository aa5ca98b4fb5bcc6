import { randomUUID } from "node:crypto";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryCache, type MemoryCacheFaults } from "../../../adapters/memory/cache.js";
import { MemoryBroker } from "../../../adapters/memory/message-broker.js";
import { devHeaderIdentitySource } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { openTestDatabase } from "../../kernel/db/testing.js";
import { documentedOperations, servedApiRoutes } from "../../kernel/http/route-table.js";
import { createOutboxRelay } from "../../kernel/messaging/outbox-relay.js";
import { createLogger } from "../../kernel/observability/logger.js";
import { listen } from "../../kernel/runtime.js";
import { readModelSnapshot, rebuildReadModels } from "../data-access/replay.js";
import { createTasksApp, startActivityConsumer, startUserEventsConsumer, TASKS_MIGRATIONS } from "../service.js";
import { deliverUserEvent, knownProject, projectCreated, userEventMessage } from "../testing.js";

type Json = Record<string, unknown> & { id: string; version: number };
const future = "2099-06-01T00:00:00.000Z";
/** Short, so that an unknown project's 404 does not slow the suite. */
const PROJECT_WAIT = { timeoutMs: 400, pollMs: 20 };

describe("tasks HTTP API", () => {
  let db: Database;
  let base: string;
  let app: ReturnType<typeof createTasksApp>;
  const faults: MemoryCacheFaults = { unavailable: false };
  const broker = new MemoryBroker({ duplicateRate: 1 });
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    db = await openTestDatabase("pglite", [TASKS_MIGRATIONS]);
    const relay = createOutboxRelay({ db, broker, pollMs: 20 });
    app = createTasksApp({
      db,
      cache: new MemoryCache({ namespace: `tasks-${randomUUID()}`, faults }),
      log: createLogger({ service: "tasks", level: "silent" }),
      identity: devHeaderIdentitySource(),
      notifyRelay: () => relay.notify(),
      cacheTimeoutMs: 100,
      projectWait: PROJECT_WAIT,
    });
    const consumer = await startActivityConsumer({ db, broker });
    const userEvents = await startUserEventsConsumer({ db, broker });
    relay.start();
    const server = await listen(app.app, 0);
    base = `http://127.0.0.1:${server.port}`;
    cleanup.push(
      server.close,
      () => consumer.close(),
      () => userEvents.close(),
      () => relay.stop(),
      () => broker.close(),
      () => db.close(),
    );
  });
  afterAll(async () => {
    for (const step of cleanup) await step();
  });

  const call = async (
    user: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        "x-dev-user": user,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: (text ? JSON.parse(text) : undefined) as Json };
  };
  const eventCount = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events"))[0]!.n;

  async function board(user = "alice") {
    const b = await call(user, "POST", "/api/v1/boards", {
      projectId: await knownProject(db, user),
      name: `Board ${randomUUID().slice(0, 6)}`,
    });
    const todo = await call(user, "POST", `/api/v1/boards/${b.body.id}/cards`, { name: "To do", type: "todo" });
    const done = await call(user, "POST", `/api/v1/boards/${b.body.id}/cards`, { name: "Done", type: "done" });
    return { board: b.body, todo: todo.body, done: done.body };
  }

  it("walks every endpoint: boards, cards, tasks, move, assign, comments, activities, cancel, deletes", async () => {
    const created = await call("alice", "POST", "/api/v1/boards", {
      projectId: await knownProject(db, "alice"),
      name: "Roadmap",
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe(`/api/v1/boards/${created.body.id}`);
    expect(created.headers.get("etag")).toBe('"1"');
    const b = created.body;
    expect((await call("alice", "GET", "/api/v1/boards?pageSize=100")).body).toMatchObject({ page: 1, pageSize: 100 });
    expect((await call("alice", "GET", `/api/v1/boards/${b.id}`)).body).toMatchObject({ name: "Roadmap" });
    const renamed = await call(
      "alice",
      "PATCH",
      `/api/v1/boards/${b.id}`,
      { name: "Roadmap 2027" },
      { "if-match": '"1"' },
    );
    expect(renamed).toMatchObject({ status: 200, body: { name: "Roadmap 2027", version: 2 } });

    const todo = (await call("alice", "POST", `/api/v1/boards/${b.id}/cards`, { name: "To do", type: "todo" })).body;
    const done = (await call("alice", "POST", `/api/v1/boards/${b.id}/cards`, { name: "Done", type: "done" })).body;
    const spare = await call("alice", "POST", `/api/v1/boards/${b.id}/cards`, { name: "Spare", type: "backlog" });
    expect(spare.status).toBe(201);
    expect((await call("alice", "GET", `/api/v1/boards/${b.id}/cards`)).body).toHaveLength(3);
    expect((await call("alice", "GET", `/api/v1/cards/${todo.id}`)).body).toMatchObject({ type: "todo" });
    const respaced = await call(
      "alice",
      "PATCH",
      `/api/v1/cards/${spare.body.id}`,
      { position: 0 },
      { "if-match": '"1"' },
    );
    expect(respaced.body).toMatchObject({ position: 0 });

    const task = await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, {
      cardId: todo.id,
      title: "Ship v2",
      description: "Finish the API",
      priority: "high",
      dueDate: future,
      tags: ["api"],
    });
    expect(task.status).toBe(201);
    expect(task.headers.get("location")).toBe(`/api/v1/tasks/${task.body.id}`);
    expect(task.body).toMatchObject({ status: "todo", priority: "high", dueDate: future, tags: ["api"], version: 1 });
    const t = task.body;

    const v1 = await call("alice", "GET", `/api/v1/tasks/${t.id}`);
    expect(v1.headers.get("deprecation")).toMatch(/^@\d+$/);
    expect(v1.headers.get("sunset")).toContain("GMT");
    expect(v1.headers.get("link")).toBe(`</api/v2/tasks/${t.id}>; rel="successor-version"`);
    const v2 = await call("alice", "GET", `/api/v2/tasks/${t.id}`);
    expect(v2.headers.get("deprecation")).toBeNull();
    expect(v2.body).toMatchObject({
      state: { status: "todo", priority: "high", position: 0 },
      assignee: null,
      dates: { dueAt: future, completedAt: null },
    });
    expect(v2.body).not.toHaveProperty("dueDate");
    const byHeader = await call("alice", "GET", `/api/tasks/${t.id}`, undefined, { "api-version": "2" });
    expect(byHeader.body).toHaveProperty("state");

    const patched = await call(
      "alice",
      "PATCH",
      `/api/v1/tasks/${t.id}`,
      { priority: "critical" },
      { "if-match": '"1"' },
    );
    expect(patched).toMatchObject({ status: 200, body: { priority: "critical", version: 2 } });
    expect(patched.headers.get("etag")).toBe('"2"');
    const assigned = await call(
      "alice",
      "POST",
      `/api/v1/tasks/${t.id}/assign`,
      { assigneeId: "bob" },
      { "if-match": '"2"' },
    );
    expect(assigned.body).toMatchObject({ assigneeId: "bob", version: 3 });
    const moved = await call("alice", "POST", `/api/v1/tasks/${t.id}/move`, { cardId: done.id }, { "if-match": '"3"' });
    expect(moved.body).toMatchObject({ status: "done", cardId: done.id });
    expect(moved.body.completedAt).toEqual(expect.any(String));

    const filtered = await call(
      "alice",
      "GET",
      `/api/v1/tasks?boardId=${b.id}&status=done&priority=critical&assigneeId=bob&dueBefore=2100-01-01T00:00:00Z`,
    );
    expect(filtered.body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    const none = await call("alice", "GET", `/api/v1/tasks?boardId=${b.id}&status=todo`);
    expect(none.body).toMatchObject({ total: 0, items: [] });
    expect((await call("bob", "GET", "/api/v2/tasks?assigneeId=bob")).body).toMatchObject({ total: 1 });
    const ids = async (query: string) =>
      ((await call("alice", "GET", `/api/v1/tasks?boardId=${b.id}&${query}`)).body.items as { id: string }[]).map(
        (item) => item.id,
      );
    expect(await ids("tag=api")).toEqual([t.id]);
    expect(await ids("tag=ap")).toEqual([]);
    expect(await ids("q=ship%20V")).toEqual([t.id]);
    // LIKE's wildcards in the text match only themselves.
    expect(await ids("q=s%25p")).toEqual([]);
    expect(await ids("q=ship_v")).toEqual([]);

    const comment = await call("bob", "POST", `/api/v1/tasks/${t.id}/comments`, { body: "Reviewing now" });
    expect(comment.status).toBe(201);
    expect(comment.headers.get("location")).toBe(`/api/v1/comments/${comment.body.id}`);
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}/comments`)).body).toMatchObject({ total: 1 });
    expect((await call("alice", "GET", `/api/v1/comments/${comment.body.id}`)).body).toMatchObject({ authorId: "bob" });
    const edit = (user: string, etag: string) =>
      call(user, "PATCH", `/api/v1/comments/${comment.body.id}`, { body: "Approved" }, { "if-match": etag });
    expect((await edit("alice", '"1"')).status).toBe(403);
    expect((await edit("bob", '"1"')).body).toMatchObject({ body: "Approved", version: 2 });
    expect(
      (await call("bob", "DELETE", `/api/v1/comments/${comment.body.id}`, undefined, { "if-match": '"2"' })).status,
    ).toBe(204);

    // The tasks-activity consumer receives every event twice (duplicate injection); the inbox keeps one each.
    await expect
      .poll(async () => (await call("alice", "GET", `/api/v1/tasks/${t.id}/activities?pageSize=100`)).body.total, {
        timeout: 5_000,
      })
      .toBe(7);
    const activities = (await call("alice", "GET", `/api/v1/tasks/${t.id}/activities?pageSize=100`))
      .body as unknown as {
      items: { type: string; actorId: string }[];
    };
    expect(activities.items.map((a) => a.type)).toEqual([
      "task-created",
      "task-updated",
      "task-assigned",
      "task-moved",
      "comment-added",
      "comment-edited",
      "comment-deleted",
    ]);

    const doneCancel = await call("alice", "POST", `/api/v1/tasks/${t.id}/cancel`, {}, { "if-match": '"4"' });
    expect(doneCancel.status).toBe(409);
    const back = await call("alice", "POST", `/api/v1/tasks/${t.id}/move`, { cardId: todo.id }, { "if-match": '"4"' });
    expect(back.body).toMatchObject({ status: "todo", completedAt: null });
    const cancelled = await call("alice", "POST", `/api/v1/tasks/${t.id}/cancel`, undefined, { "if-match": '"5"' });
    expect(cancelled.body).toMatchObject({ status: "cancelled" });
    const readOnly = await call(
      "alice",
      "PATCH",
      `/api/v1/tasks/${t.id}`,
      { title: "Too late" },
      { "if-match": '"6"' },
    );
    expect(readOnly.status).toBe(409);

    expect(
      (await call("alice", "DELETE", `/api/v1/cards/${spare.body.id}`, undefined, { "if-match": '"2"' })).status,
    ).toBe(204);
    expect((await call("alice", "DELETE", `/api/v1/boards/${b.id}`, undefined, { "if-match": '"2"' })).status).toBe(
      204,
    );
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).status).toBe(404);
    expect((await call("alice", "GET", `/api/v1/boards/${b.id}`)).status).toBe(404);
  });

  it("bad input is a 400 naming each field, and nothing is written", async () => {
    const { board: b, todo } = await board();
    const before = await eventCount();
    const cases: [string, string, unknown, string[]][] = [
      ["POST", "/api/v1/boards", { projectId: "nope", name: "ab" }, ["body.projectId", "body.name"]],
      ["POST", `/api/v1/boards/${b.id}/cards`, { name: "Column", type: "later" }, ["body.type"]],
      [
        "POST",
        `/api/v1/boards/${b.id}/tasks`,
        {
          cardId: todo.id,
          title: "x",
          priority: "urgent",
          tags: ["a", "a"],
          description: "d".repeat(2049),
          color: "red",
        },
        ["body.title", "body.priority", "body.tags", "body.description", "body.color"],
      ],
      [
        "POST",
        `/api/v1/boards/${b.id}/tasks`,
        { cardId: todo.id, title: "Dated", dueDate: "tomorrow" },
        ["body.dueDate"],
      ],
      ["POST", "/api/v1/boards/not-a-uuid/tasks", { cardId: todo.id, title: "Valid" }, ["params.boardId"]],
    ];
    for (const [method, path, body, fields] of cases) {
      const res = await call("alice", method, path, body);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const got = (res.body.errors as { field: string }[]).map((e) => e.field);
      expect(new Set(got), `${method} ${path}`).toEqual(new Set(fields));
    }
    expect((await call("alice", "GET", "/api/v1/tasks?pageSize=1000")).body.errors).toEqual([
      expect.objectContaining({ field: "query.pageSize" }),
    ]);
    expect((await call("alice", "POST", `/api/v1/tasks/${randomUUID()}/comments`, { body: "" })).status).toBe(400);
    const past = await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, {
      cardId: todo.id,
      title: "Too late",
      dueDate: "2001-01-01T00:00:00Z",
    });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([{ field: "body.dueDate", message: "must not be in the past" }]);
    expect(await eventCount()).toBe(before);
  });

  it("another user's resources are 404s, never 200s", async () => {
    const { board: b, todo } = await board();
    const t = (await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Secret" })).body;
    const c = (await call("alice", "POST", `/api/v1/tasks/${t.id}/comments`, { body: "private note" })).body;
    const attempts: [string, string, unknown?][] = [
      ["GET", `/api/v1/boards/${b.id}`],
      ["PATCH", `/api/v1/boards/${b.id}`, { name: "Mine" }],
      ["DELETE", `/api/v1/boards/${b.id}`],
      ["GET", `/api/v1/boards/${b.id}/cards`],
      ["POST", `/api/v1/boards/${b.id}/cards`, { name: "Mine", type: "todo" }],
      ["GET", `/api/v1/cards/${todo.id}`],
      ["PATCH", `/api/v1/cards/${todo.id}`, { name: "Mine" }],
      ["DELETE", `/api/v1/cards/${todo.id}`],
      ["POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Mine" }],
      ["GET", `/api/v1/tasks/${t.id}`],
      ["PATCH", `/api/v1/tasks/${t.id}`, { title: "Mine" }],
      ["POST", `/api/v1/tasks/${t.id}/move`, { cardId: todo.id }],
      ["POST", `/api/v1/tasks/${t.id}/assign`, { assigneeId: "mallory" }],
      ["POST", `/api/v1/tasks/${t.id}/cancel`, {}],
      ["GET", `/api/v1/tasks/${t.id}/comments`],
      ["POST", `/api/v1/tasks/${t.id}/comments`, { body: "hi" }],
      ["GET", `/api/v1/comments/${c.id}`],
      ["PATCH", `/api/v1/comments/${c.id}`, { body: "mine" }],
      ["DELETE", `/api/v1/comments/${c.id}`],
      ["GET", `/api/v1/tasks/${t.id}/activities`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await call("mallory", method, path, body, { "if-match": '"1"' });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await call("mallory", "GET", `/api/v1/tasks?boardId=${b.id}`)).body).toMatchObject({ total: 0 });
    expect((await call("mallory", "GET", "/api/v1/boards")).body).toMatchObject({ total: 0 });
    expect((await fetch(`${base}/api/v1/boards`)).status).toBe(401);
  });

  describe("a board's project must be the caller's", () => {
    const createIn = (user: string, projectId: string, name = "Sprint 1") =>
      call(user, "POST", "/api/v1/boards", { projectId, name });
    const expectProjectNotFound = (res: Awaited<ReturnType<typeof call>>, projectId: string) => {
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.detail).toBe(`project "${projectId}" not found`);
    };

    it('Bob cannot create a board in Alice\'s project, at once, and Alice can still create "Sprint 1" there', async () => {
      const project = await knownProject(db, "alice");
      const before = await eventCount();
      const started = Date.now();
      expectProjectNotFound(await createIn("bob", project), project);
      // Known to be someone else's: no waiting for replication.
      expect(Date.now() - started).toBeLessThan(PROJECT_WAIT.timeoutMs);
      expect(await eventCount()).toBe(before);
      expect((await call("bob", "GET", "/api/v1/boards?pageSize=100")).body.items).toEqual([]);
      const alices = await createIn("alice", project);
      expect(alices.status).toBe(201);
      expect(alices.body).toMatchObject({ projectId: project, name: "Sprint 1", ownerId: "alice" });
    });

    it("an unknown project is a 404 after the bounded wait, and nothing is written", async () => {
      const project = randomUUID();
      const before = await eventCount();
      const started = Date.now();
      expectProjectNotFound(await createIn("alice", project), project);
      expect(Date.now() - started).toBeGreaterThanOrEqual(PROJECT_WAIT.timeoutMs - 20);
      expect(await eventCount()).toBe(before);
    });

    it("a project whose creation arrives during the wait gets its board (201)", async () => {
      const project = randomUUID();
      const pending = createIn("alice", project);
      await new Promise((resolve) => setTimeout(resolve, PROJECT_WAIT.timeoutMs / 4));
      // Through the broker and the tasks-user-events consumer, as the users service's relay publishes it.
      const event = projectCreated("alice", project);
      await broker.publish("user-events", { id: event.id, key: event.key!, body: event.body });
      const res = await pending;
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ projectId: project });
    });

    it("a redelivered project event has one effect; a deleted project refuses new boards", async () => {
      const project = randomUUID();
      const created = projectCreated("alice", project);
      expect(await deliverUserEvent(db, created)).toBe(true);
      expect(await deliverUserEvent(db, created)).toBe(false);
      expect((await createIn("alice", project)).status).toBe(201);
      const deleted = userEventMessage(
        "project-deleted",
        { projectId: project, organizationId: randomUUID(), ownerId: "alice" },
        { actor: "alice", streamId: `project:${project}`, version: 2 },
      );
      expect(await deliverUserEvent(db, deleted)).toBe(true);
      const started = Date.now();
      expectProjectNotFound(await createIn("alice", project, "Sprint 2"), project);
      expect(Date.now() - started).toBeLessThan(PROJECT_WAIT.timeoutMs);
      // A copy of the creation that arrives late (new message id, so past the inbox) cannot bring it back.
      await deliverUserEvent(db, { ...created, id: randomUUID() });
      expectProjectNotFound(await createIn("alice", project, "Sprint 2"), project);
    });

    it("deleting an organization refuses new boards in each of its projects", async () => {
      const organizationId = randomUUID();
      const projects = [randomUUID(), randomUUID()];
      for (const id of projects) await deliverUserEvent(db, projectCreated("alice", id, organizationId));
      await deliverUserEvent(
        db,
        userEventMessage(
          "organization-deleted",
          { organizationId },
          { actor: "alice", streamId: `organization:${organizationId}`, version: 2 },
        ),
      );
      for (const id of projects) expectProjectNotFound(await createIn("alice", id), id);
      // Its projects' creations arriving after the deletion (another stream, no order between them) are born deleted.
      const late = randomUUID();
      await deliverUserEvent(db, projectCreated("alice", late, organizationId));
      expectProjectNotFound(await createIn("alice", late), late);
    });
  });

  it("concurrent duplicate POSTs with one Idempotency-Key create one task and answer identically", async () => {
    const { board: b, todo } = await board();
    const key = randomUUID();
    const body = { cardId: todo.id, title: "Exactly once" };
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, body, { "idempotency-key": key }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect(new Set(responses.map((r) => r.headers.get("location"))).size).toBe(1);
    expect((await call("alice", "GET", `/api/v1/tasks?boardId=${b.id}`)).body).toMatchObject({ total: 1 });
    const other = await call(
      "alice",
      "POST",
      `/api/v1/boards/${b.id}/tasks`,
      { ...body, title: "Other body" },
      { "idempotency-key": key },
    );
    expect(other.status).toBe(422);
  });

  it("a stale If-Match is a 412 and loses nothing; a missing one is a 428", async () => {
    const { board: b, todo } = await board();
    const t = (await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Contended" }))
      .body;
    expect((await call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { priority: "low" })).status).toBe(428);
    const [first, second] = await Promise.all([
      call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { priority: "low" }, { "if-match": '"1"' }),
      call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { priority: "high" }, { "if-match": '"1"' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
    const winner = first.status === 200 ? "low" : "high";
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).body).toMatchObject({ priority: winner, version: 2 });
  });

  it("names are natural keys: a duplicate task title or card name is a 409", async () => {
    const { board: b, todo } = await board();
    await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Only one" });
    const dup = await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "ONLY ONE" });
    expect(dup.status).toBe(409);
    expect(dup.body.errors).toEqual([expect.objectContaining({ field: "body.title" })]);
    expect((await call("alice", "POST", `/api/v1/boards/${b.id}/cards`, { name: "to do", type: "todo" })).status).toBe(
      409,
    );
  });

  it("reads still succeed from the database while the cache is down, and see fresh data after a change", async () => {
    const { board: b, todo } = await board();
    const t = (await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "Cached" })).body;
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).status).toBe(200);
    await call("alice", "PATCH", `/api/v1/tasks/${t.id}`, { title: "Cached and changed" }, { "if-match": '"1"' });
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).body).toMatchObject({ title: "Cached and changed" });
    // A task inserted in front shifts this one: its cached copy must not keep the old position.
    await call("alice", "POST", `/api/v1/boards/${b.id}/tasks`, { cardId: todo.id, title: "In front", position: 0 });
    expect((await call("alice", "GET", `/api/v1/tasks/${t.id}`)).body).toMatchObject({ position: 1 });
    faults.unavailable = true;
    try {
      const started = Date.now();
      const res = await call("alice", "GET", `/api/v1/tasks/${t.id}`);
      expect(res.body).toMatchObject({ title: "Cached and changed" });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      faults.unavailable = false;
    }
  });

  it("replay rebuilds read models equal to the live ones (activities included)", async () => {
    await expect
      .poll(() => app.ctx.db.query("SELECT 1 FROM outbox WHERE sent_at IS NULL"), { timeout: 5_000 })
      .toEqual([]);
    // Give the consumer a moment to drain what the relay just published.
    await expect
      .poll(
        async () => {
          const [events] = await db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM events WHERE stream_id LIKE 'task:%' OR stream_id LIKE 'comment:%'",
          );
          const [acts] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM activities");
          return events!.n - acts!.n;
        },
        { timeout: 5_000 },
      )
      .toBe(0);
    const live = await readModelSnapshot(db);
    const project = await knownProject(db, "alice");
    await rebuildReadModels(db);
    expect(await readModelSnapshot(db)).toEqual(live);
    // Projects come from the users service's events, not this log: a replay keeps them.
    expect((await call("alice", "POST", "/api/v1/boards", { projectId: project, name: "After replay" })).status).toBe(
      201,
    );
  });

  it("the OpenAPI document is valid and lists every route the service serves", async () => {
    const doc = await (await fetch(`${base}/api/docs/openapi.json`)).json();
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const served = servedApiRoutes(app.app);
    const documented = documentedOperations(doc as { paths: Record<string, object> });
    expect(served.size).toBeGreaterThan(40);
    expect(documented).toEqual(served);
    const page = await fetch(`${base}/api/docs`);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).not.toMatch(/https?:\/\//);
  });
});
