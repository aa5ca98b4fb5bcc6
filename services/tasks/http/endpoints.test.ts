import { describe, expect, it } from "vitest";
import { knownProject } from "../testing.js";
import { FUTURE as future, type TasksApi, useTasksApi } from "./test-api.js";

/**
 * Every endpoint of the tasks API once, in the order a user meets them: boards, cards, tasks (v1 and
 * v2), move, assign, comments, activities, cancel and deletes.
 */
describe("tasks HTTP API: every endpoint", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);

  it("walks every endpoint: boards, cards, tasks, move, assign, comments, activities, cancel, deletes", async () => {
    const created = await call("alice", "POST", "/api/v1/boards", {
      projectId: await knownProject(api().db, "alice"),
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
});
