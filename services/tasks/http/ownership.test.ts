import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { deliverUserEvent, knownProject, projectCreated, userEventMessage } from "../testing.js";
import { PROJECT_WAIT, type TasksApi, useTasksApi } from "./test-api.js";

/**
 * Another user's resources are 404s, never 200s; a board can only be made in one of the caller's
 * projects, as the users service's events announced them.
 */
describe("tasks HTTP API: what belongs to whom", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);
  const board = (user?: string) => api().board(user);
  const eventCount = () => api().eventCount();

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
    expect((await fetch(`${api().base}/api/v1/boards`)).status).toBe(401);
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
      const project = await knownProject(api().db, "alice");
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
      await api().broker.publish("user-events", { id: event.id, key: event.key!, body: event.body });
      const res = await pending;
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ projectId: project });
    });

    it("a redelivered project event has one effect; a deleted project refuses new boards", async () => {
      const project = randomUUID();
      const created = projectCreated("alice", project);
      expect(await deliverUserEvent(api().db, created)).toBe(true);
      expect(await deliverUserEvent(api().db, created)).toBe(false);
      expect((await createIn("alice", project)).status).toBe(201);
      const deleted = userEventMessage(
        "project-deleted",
        { projectId: project, organizationId: randomUUID(), ownerId: "alice" },
        { actor: "alice", streamId: `project:${project}`, version: 2 },
      );
      expect(await deliverUserEvent(api().db, deleted)).toBe(true);
      const started = Date.now();
      expectProjectNotFound(await createIn("alice", project, "Sprint 2"), project);
      expect(Date.now() - started).toBeLessThan(PROJECT_WAIT.timeoutMs);
      // A copy of the creation that arrives late (new message id, so past the inbox) cannot bring it back.
      await deliverUserEvent(api().db, { ...created, id: randomUUID() });
      expectProjectNotFound(await createIn("alice", project, "Sprint 2"), project);
    });

    it("deleting an organization refuses new boards in each of its projects", async () => {
      const organizationId = randomUUID();
      const projects = [randomUUID(), randomUUID()];
      for (const id of projects) await deliverUserEvent(api().db, projectCreated("alice", id, organizationId));
      await deliverUserEvent(
        api().db,
        userEventMessage(
          "organization-deleted",
          { organizationId },
          { actor: "alice", streamId: `organization:${organizationId}`, version: 2 },
        ),
      );
      for (const id of projects) expectProjectNotFound(await createIn("alice", id), id);
      // Its projects' creations arriving after the deletion (another stream, no order between them) are born deleted.
      const late = randomUUID();
      await deliverUserEvent(api().db, projectCreated("alice", late, organizationId));
      expectProjectNotFound(await createIn("alice", late), late);
    });
  });
});
