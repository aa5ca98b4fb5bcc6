import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { openTestDatabase, postgresGate, type TestDatabaseKind } from "../../kernel/db/testing.js";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnprocessableError,
} from "../../kernel/errors.js";
import { readAll, toEventMessage } from "../../kernel/event-log.js";
import { projectActivity } from "../data-access/projections.js";
import { readModelSnapshot, rebuildReadModels } from "../data-access/replay.js";
import { findTask, listTasks } from "../data-access/store.js";
import { TASKS_MIGRATIONS } from "../service.js";
import { knownProject } from "../testing.js";
import { addCard, createBoard, deleteCard, updateCard } from "./boards.js";
import { addComment, deleteComment, editComment } from "./comments.js";
import type { TasksContext } from "./context.js";
import { assignTask, cancelTask, createTask, getTask, moveTask, updateTask } from "./tasks.js";

const pgSkip = await postgresGate();
const alice: CallerIdentity = { userId: "alice", roles: ["user"], via: "dev-header" };
const bob: CallerIdentity = { userId: "bob", roles: ["user"], via: "dev-header" };
const future = "2099-01-01T00:00:00.000Z";

for (const { kind, skip } of [
  { kind: "pglite" as TestDatabaseKind, skip: undefined },
  { kind: "postgres" as TestDatabaseKind, skip: pgSkip },
]) {
  describe.skipIf(skip !== undefined)(gatedTitle(`tasks use cases and read models on ${kind}`, skip), () => {
    let db: Database;
    let ctx: TasksContext;
    beforeAll(async () => {
      db = await openTestDatabase(kind, [TASKS_MIGRATIONS]);
      ctx = { db };
    });
    afterAll(async () => {
      await db?.close();
    });

    async function setup() {
      const board = await createBoard(ctx, alice, {
        projectId: await knownProject(db, alice.userId),
        name: `Board ${randomUUID().slice(0, 8)}`,
      });
      const todo = await addCard(ctx, alice, board.id, { name: "To do", type: "todo" });
      const doing = await addCard(ctx, alice, board.id, { name: "Doing", type: "doing" });
      const done = await addCard(ctx, alice, board.id, { name: "Done", type: "done" });
      return { board, todo, doing, done };
    }

    it("creates tasks in order, with status from the card, and inserts at a position", async () => {
      const { board, todo } = await setup();
      const a = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Task A" });
      const b = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Task B" });
      const c = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Task C", position: 0 });
      expect(a).toMatchObject({ status: "todo", priority: "medium", position: 0, version: 1, createdBy: "alice" });
      const page = await listTasks(db, "alice", { cardId: todo.id, page: 1, pageSize: 10 });
      expect(page.items.map((t) => [t.title, t.position])).toEqual([
        ["Task C", 0],
        ["Task A", 1],
        ["Task B", 2],
      ]);
      expect(page.total).toBe(3);
      expect(b.id).not.toBe(c.id);
    });

    it("moving into done sets completedAt, moving out clears it; positions close up behind", async () => {
      const { board, todo, doing, done } = await setup();
      const a = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Move me" });
      await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Stay here" });
      const inDone = await moveTask(ctx, alice, a.id, { cardId: done.id }, a.version);
      expect(inDone).toMatchObject({ status: "done", cardId: done.id, position: 0, version: 2 });
      expect(inDone.completedAt).not.toBeNull();
      expect((await listTasks(db, "alice", { cardId: todo.id, page: 1, pageSize: 10 })).items[0]!.position).toBe(0);
      const back = await moveTask(ctx, alice, a.id, { cardId: doing.id }, undefined);
      expect(back).toMatchObject({ status: "doing", completedAt: null });
    });

    it("refuses a card of another board (422) and a stale version (412)", async () => {
      const one = await setup();
      const two = await setup();
      const t = await createTask(ctx, alice, one.board.id, { cardId: one.todo.id, title: "Cross board" });
      await expect(moveTask(ctx, alice, t.id, { cardId: two.todo.id }, undefined)).rejects.toBeInstanceOf(
        UnprocessableError,
      );
      await expect(
        createTask(ctx, alice, one.board.id, { cardId: two.todo.id, title: "Wrong card" }),
      ).rejects.toBeInstanceOf(UnprocessableError);
      await updateTask(ctx, alice, t.id, { priority: "high" }, 1);
      await expect(updateTask(ctx, alice, t.id, { priority: "low" }, 1)).rejects.toBeInstanceOf(
        PreconditionFailedError,
      );
      expect((await findTask(db, t.id))!.priority).toBe("high");
    });

    it("checks the task's own rules: description differs from title, due date not past", async () => {
      const { board, todo } = await setup();
      await expect(
        createTask(ctx, alice, board.id, { cardId: todo.id, title: "Same", description: "same" }),
      ).rejects.toThrow(/differ/);
      await expect(
        createTask(ctx, alice, board.id, { cardId: todo.id, title: "Late one", dueDate: "2000-01-01T00:00:00Z" }),
      ).rejects.toThrow(/past/);
      const t = await createTask(ctx, alice, board.id, {
        cardId: todo.id,
        title: "Due later",
        dueDate: future,
        tags: ["a"],
      });
      expect(t.dueDate).toBe(future);
      expect(t.tags).toEqual(["a"]);
    });

    it("cancelled tasks are read-only; done tasks cannot be cancelled", async () => {
      const { board, todo, done } = await setup();
      const t = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Cancel me" });
      const cancelled = await cancelTask(ctx, alice, t.id, {}, undefined);
      expect(cancelled).toMatchObject({ status: "cancelled" });
      expect(cancelled.cancelledAt).not.toBeNull();
      await expect(updateTask(ctx, alice, t.id, { title: "Renamed" }, undefined)).rejects.toBeInstanceOf(ConflictError);
      await expect(moveTask(ctx, alice, t.id, { cardId: done.id }, undefined)).rejects.toBeInstanceOf(ConflictError);
      await expect(addComment(ctx, alice, t.id, { body: "hi" })).rejects.toBeInstanceOf(ConflictError);
      const d = await createTask(ctx, alice, board.id, { cardId: done.id, title: "Finished" });
      await expect(cancelTask(ctx, alice, d.id, {}, undefined)).rejects.toThrow(/done and cannot be cancelled/);
    });

    it("names are unique: board per project, card per board, task title per board (409 naming the field)", async () => {
      const { board, todo } = await setup();
      await expect(addCard(ctx, alice, board.id, { name: "to DO", type: "backlog" })).rejects.toMatchObject({
        status: 409,
        fields: [{ field: "body.name" }],
      });
      await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Unique title" });
      await expect(createTask(ctx, alice, board.id, { cardId: todo.id, title: "unique TITLE" })).rejects.toMatchObject({
        status: 409,
        fields: [{ field: "body.title" }],
      });
      await expect(createBoard(ctx, alice, { projectId: board.projectId, name: board.name })).rejects.toBeInstanceOf(
        ConflictError,
      );
      // Concurrent creators of one title: exactly one wins.
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => createTask(ctx, alice, board.id, { cardId: todo.id, title: "Raced title" })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    });

    it("a board holds at most 10 cards, even when added concurrently", async () => {
      const { board } = await setup();
      const results = await Promise.allSettled(
        Array.from({ length: 9 }, (_, i) => addCard(ctx, alice, board.id, { name: `Column ${i}`, type: "todo" })),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(7);
      await expect(addCard(ctx, alice, board.id, { name: "Eleventh", type: "todo" })).rejects.toThrow(
        /at most 10 cards/,
      );
    });

    it("a card with tasks keeps its type and cannot be deleted; an empty one can", async () => {
      const { board, todo, doing } = await setup();
      await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Occupant" });
      await expect(updateCard(ctx, alice, todo.id, { type: "done" }, undefined)).rejects.toBeInstanceOf(ConflictError);
      await expect(deleteCard(ctx, alice, todo.id, undefined)).rejects.toBeInstanceOf(ConflictError);
      const moved = await updateCard(ctx, alice, doing.id, { type: "backlog", position: 0 }, doing.version);
      expect(moved).toMatchObject({ type: "backlog", position: 0 });
      await deleteCard(ctx, alice, doing.id, moved.version);
    });

    it("another user sees a 404; an assignee may read and comment but not change the task", async () => {
      const { board, todo } = await setup();
      const t = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Private" });
      await expect(getTask(ctx, bob, t.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(createTask(ctx, bob, board.id, { cardId: todo.id, title: "Intruder" })).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await assignTask(ctx, alice, t.id, { assigneeId: "bob" }, undefined);
      expect((await getTask(ctx, bob, t.id)).assigneeId).toBe("bob");
      await expect(updateTask(ctx, bob, t.id, { title: "Mine now" }, undefined)).rejects.toBeInstanceOf(ForbiddenError);
      const comment = await addComment(ctx, bob, t.id, { body: "On it" });
      await expect(editComment(ctx, alice, comment.id, { body: "Edited by owner" }, undefined)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      const edited = await editComment(ctx, bob, comment.id, { body: "Done soon" }, comment.version);
      expect(edited).toMatchObject({ body: "Done soon", version: 2 });
      await deleteComment(ctx, bob, comment.id, edited.version);
    });

    it("a command id runs once: the repeat returns the first result and appends nothing", async () => {
      const { board, todo } = await setup();
      const commandId = randomUUID();
      const first = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Once only", commandId });
      const again = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Once only", commandId });
      expect(again).toEqual(first);
      expect((await listTasks(db, "alice", { cardId: todo.id, page: 1, pageSize: 10 })).total).toBe(1);
    });

    it("a command id reused with another body or target is a 422 naming it, and changes nothing", async () => {
      const { board, todo, done } = await setup();
      const commandId = randomUUID();
      const first = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Original", commandId });
      await expect(
        createTask(ctx, alice, board.id, { cardId: todo.id, title: "Something else", commandId }),
      ).rejects.toMatchObject({ status: 422, fields: [{ field: "body.commandId" }] });
      const other = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Other" });
      const moveId = randomUUID();
      await moveTask(ctx, alice, first.id, { cardId: done.id, commandId: moveId }, undefined);
      await expect(
        moveTask(ctx, alice, other.id, { cardId: done.id, commandId: moveId }, undefined),
      ).rejects.toMatchObject({
        status: 422,
      });
      expect((await getTask(ctx, alice, other.id)).cardId).toBe(todo.id);
      expect((await listTasks(db, "alice", { cardId: todo.id, page: 1, pageSize: 10 })).total).toBe(1);
    });

    it("replaying the event log rebuilds read models equal to the live ones", async () => {
      const { board, todo, done } = await setup();
      const t = await createTask(ctx, alice, board.id, { cardId: todo.id, title: "Replayed", dueDate: future });
      await moveTask(ctx, alice, t.id, { cardId: done.id }, undefined);
      await addComment(ctx, alice, t.id, { body: "Looks good" });
      // The live activity feed, as the tasks-activity consumer builds it.
      for (const event of await readAll(db, 0, 100_000)) {
        await db.transaction((tx) => projectActivity(tx, toEventMessage(event)));
      }
      const live = await readModelSnapshot(db);
      expect(live.activities!.length).toBeGreaterThan(0);
      await rebuildReadModels(db, 7);
      expect(await readModelSnapshot(db)).toEqual(live);
    });
  });
}
