import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { knownProject } from "../testing.js";
import { type TasksApi, useTasksApi } from "./test-api.js";

/**
 * What the web board stands on: the per-board live stream (who may open it, what each viewer
 * sees, resume after a drop), WIP limits enforced by the server, an assignee's read-only view
 * of the board, and comment counts for the tiles.
 */

describe("board stream, WIP limits and board visibility", () => {
  const api = useTasksApi();
  const call: TasksApi["call"] = (...args) => api().call(...args);

  async function board(user: string, doingLimit?: number) {
    const b = await call(user, "POST", "/api/v1/boards", {
      projectId: await knownProject(api().db, user),
      name: `Board ${randomUUID().slice(0, 6)}`,
    });
    const todo = await call(user, "POST", `/api/v1/boards/${b.body.id}/cards`, { name: "To do", type: "todo" });
    const doing = await call(user, "POST", `/api/v1/boards/${b.body.id}/cards`, {
      name: "Doing",
      type: "doing",
      ...(doingLimit ? { wipLimit: doingLimit } : {}),
    });
    return { boardId: b.body.id, todo: todo.body, doing: doing.body };
  }

  /** Opens the stream and collects `change` frames until `count` arrived (or the time is up). */
  async function frames(user: string, boardId: string, count: number, lastEventId?: string) {
    const abort = new AbortController();
    const res = await fetch(`${api().base}/api/v1/boards/${boardId}/stream`, {
      headers: {
        "x-dev-user": user,
        accept: "text/event-stream",
        ...(lastEventId ? { "last-event-id": lastEventId } : {}),
      },
      signal: abort.signal,
    });
    const got: { id: string; type: string; data: Record<string, unknown>; version: number }[] = [];
    if (res.status !== 200) return { status: res.status, got, close: () => abort.abort() };
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const deadline = setTimeout(() => abort.abort(), 3_000);
    try {
      while (got.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data && block.includes("event: change")) got.push({ id, ...JSON.parse(data) });
        }
      }
    } catch {
      // aborted at the deadline: return what arrived
    }
    clearTimeout(deadline);
    abort.abort();
    return { status: res.status, got, close: () => abort.abort() };
  }

  it("refuses a move or a create over a column's WIP limit with a 409 naming the column and the limit", async () => {
    const { boardId, todo, doing } = await board("wip-owner", 1);
    expect(doing.wipLimit).toBe(1);
    const first = await call("wip-owner", "POST", `/api/v1/boards/${boardId}/tasks`, {
      cardId: doing.id,
      title: "In progress",
    });
    expect(first.status).toBe(201);
    const over = await call("wip-owner", "POST", `/api/v1/boards/${boardId}/tasks`, {
      cardId: doing.id,
      title: "One more",
    });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ detail: 'the column "Doing" is at its WIP limit of 1; move a task out first' });
    expect(String(over.body.type)).toContain("wip-limit");

    const waiting = await call("wip-owner", "POST", `/api/v1/boards/${boardId}/tasks`, {
      cardId: todo.id,
      title: "Waiting",
    });
    const move = await call(
      "wip-owner",
      "POST",
      `/api/v1/tasks/${waiting.body.id}/move`,
      { cardId: doing.id },
      { "if-match": '"1"' },
    );
    expect(move.status).toBe(409);
    expect(move.body.detail).toContain("WIP limit of 1");
    // Moving within the full column is not adding to it.
    const reorder = await call(
      "wip-owner",
      "POST",
      `/api/v1/tasks/${first.body.id}/move`,
      { cardId: doing.id, position: 0 },
      { "if-match": '"1"' },
    );
    expect(reorder.status).toBe(200);

    const raised = await call(
      "wip-owner",
      "PATCH",
      `/api/v1/cards/${doing.id}`,
      { wipLimit: 2 },
      { "if-match": '"1"' },
    );
    expect(raised.body).toMatchObject({ wipLimit: 2 });
    expect(
      (
        await call(
          "wip-owner",
          "POST",
          `/api/v1/tasks/${waiting.body.id}/move`,
          { cardId: doing.id },
          { "if-match": '"1"' },
        )
      ).status,
    ).toBe(200);
    const cleared = await call(
      "wip-owner",
      "PATCH",
      `/api/v1/cards/${doing.id}`,
      { wipLimit: null },
      { "if-match": '"2"' },
    );
    expect(cleared.body).toMatchObject({ wipLimit: null });
    expect(
      (await call("wip-owner", "PATCH", `/api/v1/cards/${doing.id}`, { wipLimit: 0 }, { "if-match": '"3"' })).status,
    ).toBe(400);
  });

  it("streams the board's changes to its owner in order, and resumes after Last-Event-ID", async () => {
    const { boardId, todo, doing } = await board("owner-1");
    const listening = frames("owner-1", boardId, 3);
    await new Promise((r) => setTimeout(r, 100));
    const t = await call("owner-1", "POST", `/api/v1/boards/${boardId}/tasks`, { cardId: todo.id, title: "Live one" });
    await call("owner-1", "POST", `/api/v1/tasks/${t.body.id}/move`, { cardId: doing.id }, { "if-match": '"1"' });
    await call("owner-1", "POST", `/api/v1/tasks/${t.body.id}/comments`, { body: "Hello" });
    const { got } = await listening;
    expect(got.map((f) => f.type)).toEqual(["task-created", "task-moved", "comment-added"]);
    expect(got[1]).toMatchObject({
      version: 2,
      data: { task: { id: t.body.id, cardId: doing.id }, fromCardId: todo.id },
    });
    expect(Number(got[1]!.id)).toBeGreaterThan(Number(got[0]!.id));

    // A client that saw only the first frame gets the rest, in order, on reconnect.
    const resumed = await frames("owner-1", boardId, 2, got[0]!.id);
    expect(resumed.got.map((f) => f.id)).toEqual([got[1]!.id, got[2]!.id]);

    const counts = await call("owner-1", "GET", `/api/v1/boards/${boardId}/comment-counts`);
    expect(counts.body).toEqual({ counts: { [t.body.id]: 1 } });
  });

  it("lets an assignee see the board and their own tasks' changes; a stranger gets a 404", async () => {
    const { boardId, todo, doing } = await board("owner-2");
    const mine = await call("owner-2", "POST", `/api/v1/boards/${boardId}/tasks`, {
      cardId: todo.id,
      title: "For Bob",
      assigneeId: "bob-2",
    });
    const others = await call("owner-2", "POST", `/api/v1/boards/${boardId}/tasks`, {
      cardId: todo.id,
      title: "Not for Bob",
    });
    expect((await call("bob-2", "GET", `/api/v1/boards/${boardId}`)).status).toBe(200);
    expect((await call("bob-2", "GET", `/api/v1/boards/${boardId}/cards`)).body).toHaveLength(2);
    expect((await call("mallory", "GET", `/api/v1/boards/${boardId}`)).status).toBe(404);
    expect((await frames("mallory", boardId, 1)).status).toBe(404);
    // Still the owner's board to change.
    expect(
      (await call("bob-2", "POST", `/api/v1/tasks/${mine.body.id}/move`, { cardId: doing.id }, { "if-match": '"1"' }))
        .status,
    ).toBe(403);

    const listening = frames("bob-2", boardId, 1);
    await new Promise((r) => setTimeout(r, 100));
    await call("owner-2", "POST", `/api/v1/tasks/${others.body.id}/move`, { cardId: doing.id }, { "if-match": '"1"' });
    await call("owner-2", "POST", `/api/v1/tasks/${mine.body.id}/move`, { cardId: doing.id }, { "if-match": '"1"' });
    const { got } = await listening;
    expect(got.map((f) => [f.type, (f.data.task as { id: string }).id])).toEqual([["task-moved", mine.body.id]]);
  });
});
