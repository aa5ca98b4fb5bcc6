import { randomUUID } from "node:crypto";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import { checkVersion } from "../../kernel/commands.js";
import type { Page } from "../../kernel/page.js";
import {
  countTasks,
  findCard,
  findCardWithTaskCounts,
  findTask,
  listTasks,
  type TaskFilter,
} from "../data-access/store.js";
import { change, clock, ownBoard, type TasksContext, visibleTask } from "./context.js";
import type { Priority, Task, TaskSnapshot } from "./model.js";
import {
  assertCancellable,
  assertCardOnBoard,
  assertDescriptionDiffers,
  assertDueDateNotPast,
  assertRoomForTask,
  assertUnderWipLimit,
  assertWritable,
  clampPosition,
  completedAtFor,
  statusForCard,
} from "./rules.js";

/** Tasks: create, change, move between cards, assign, cancel; reads check the caller. */

export interface NewTask {
  readonly cardId: string;
  readonly title: string;
  readonly description?: string | null | undefined;
  readonly priority?: Priority | undefined;
  readonly assigneeId?: string | null | undefined;
  readonly dueDate?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly position?: number | undefined;
  readonly commandId?: string | undefined;
}

export interface TaskChanges {
  readonly title?: string | undefined;
  readonly description?: string | null | undefined;
  readonly priority?: Priority | undefined;
  readonly dueDate?: string | null | undefined;
  readonly tags?: readonly string[] | undefined;
}

const normalizeDate = (value: string | null | undefined) => (value ? new Date(value).toISOString() : null);

function snapshotOf(task: Task): TaskSnapshot {
  const { version: _version, ...snapshot } = task;
  return snapshot;
}

export async function createTask(
  ctx: TasksContext,
  caller: CallerIdentity,
  boardId: string,
  input: NewTask,
): Promise<Task> {
  const id = randomUUID();
  const now = clock(ctx);
  return change(
    ctx,
    { name: "CreateTask", actor: caller.userId, commandId: input.commandId, input: [boardId, input] },
    async (w) => {
      await ownBoard(w.tx, caller, boardId, true);
      const { card, counts } = await findCardWithTaskCounts(w.tx, { boardId, cardId: input.cardId });
      assertRoomForTask(counts.board);
      assertCardOnBoard(card, boardId, input.cardId);
      assertUnderWipLimit(card, counts.card);
      assertDescriptionDiffers(input.title, input.description);
      assertDueDateNotPast(input.dueDate, now);
      const task: TaskSnapshot = {
        id,
        boardId,
        cardId: card.id,
        title: input.title,
        description: input.description ?? null,
        priority: input.priority ?? "medium",
        status: statusForCard(card.type),
        assigneeId: input.assigneeId ?? null,
        dueDate: normalizeDate(input.dueDate),
        tags: [...(input.tags ?? [])],
        position: clampPosition(input.position, counts.card),
        completedAt: completedAtFor(card.type, null, now),
        cancelledAt: null,
        createdBy: caller.userId,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      const version = await w.append(`task:${id}`, 0, "task-created", { task });
      return { ...task, version };
    },
  );
}

export async function getTask(ctx: TasksContext, caller: CallerIdentity, id: string): Promise<Task> {
  return (await visibleTask(ctx.db, caller, id, "read")).task;
}

export function findTasks(ctx: TasksContext, caller: CallerIdentity, filter: TaskFilter): Promise<Page<Task>> {
  return listTasks(ctx.db, caller.userId, filter);
}

export async function updateTask(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: TaskChanges,
  ifMatch: number | undefined,
): Promise<Task> {
  const now = clock(ctx);
  return change(ctx, { name: "UpdateTask", actor: caller.userId }, async (w) => {
    const { task } = await visibleTask(w.tx, caller, id, "write", true);
    checkVersion("task", id, task.version, ifMatch);
    assertWritable(task);
    const next = {
      ...snapshotOf(task),
      ...(input.title !== undefined ? { title: input.title } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.priority !== undefined ? { priority: input.priority } : {}),
      ...(input.dueDate !== undefined ? { dueDate: normalizeDate(input.dueDate) } : {}),
      ...(input.tags !== undefined ? { tags: [...input.tags] } : {}),
    };
    const changed = (["title", "description", "priority", "dueDate", "tags"] as const).filter(
      (field) => JSON.stringify(next[field]) !== JSON.stringify(task[field]),
    );
    if (changed.length === 0) return task;
    assertDescriptionDiffers(next.title, next.description);
    if (changed.includes("dueDate")) assertDueDateNotPast(next.dueDate, now);
    await w.append(`task:${id}`, task.version, "task-updated", {
      task: { ...next, updatedAt: now.toISOString() },
      changed,
    });
    return (await findTask(w.tx, id))!;
  });
}

export async function moveTask(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: { cardId: string; position?: number | undefined; commandId?: string | undefined },
  ifMatch: number | undefined,
): Promise<Task> {
  const now = clock(ctx);
  return change(
    ctx,
    { name: "MoveTask", actor: caller.userId, commandId: input.commandId, input: [id, input] },
    async (w) => {
      const { task } = await visibleTask(w.tx, caller, id, "write");
      // Positions are per card and counted under the board lock.
      await ownBoard(w.tx, caller, task.boardId, true);
      const current = (await findTask(w.tx, id, true))!;
      checkVersion("task", id, current.version, ifMatch);
      assertWritable(current);
      const card = await findCard(w.tx, input.cardId);
      assertCardOnBoard(card, current.boardId, input.cardId);
      const others =
        (await countTasks(w.tx, { boardId: current.boardId, cardId: card.id })).card -
        (card.id === current.cardId ? 1 : 0);
      const position = clampPosition(input.position, others);
      if (card.id === current.cardId && position === current.position) return current;
      if (card.id !== current.cardId) assertUnderWipLimit(card, others);
      await w.append(`task:${id}`, current.version, "task-moved", {
        task: {
          ...snapshotOf(current),
          cardId: card.id,
          position,
          status: statusForCard(card.type),
          completedAt: completedAtFor(card.type, current.status === "done" ? current.completedAt : null, now),
          updatedAt: now.toISOString(),
        },
        fromCardId: current.cardId,
        fromPosition: current.position,
        fromStatus: current.status,
      });
      return (await findTask(w.tx, id))!;
    },
  );
}

export async function assignTask(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: { assigneeId: string | null; commandId?: string | undefined },
  ifMatch: number | undefined,
): Promise<Task> {
  const now = clock(ctx);
  return change(
    ctx,
    { name: "AssignTask", actor: caller.userId, commandId: input.commandId, input: [id, input] },
    async (w) => {
      const { task } = await visibleTask(w.tx, caller, id, "write", true);
      checkVersion("task", id, task.version, ifMatch);
      assertWritable(task);
      if (task.assigneeId === input.assigneeId) return task;
      await w.append(`task:${id}`, task.version, "task-assigned", {
        task: { ...snapshotOf(task), assigneeId: input.assigneeId, updatedAt: now.toISOString() },
        previousAssigneeId: task.assigneeId,
      });
      return (await findTask(w.tx, id))!;
    },
  );
}

export async function cancelTask(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: { commandId?: string | undefined },
  ifMatch: number | undefined,
): Promise<Task> {
  const now = clock(ctx);
  return change(
    ctx,
    { name: "CancelTask", actor: caller.userId, commandId: input.commandId, input: [id, input] },
    async (w) => {
      const { task } = await visibleTask(w.tx, caller, id, "write", true);
      checkVersion("task", id, task.version, ifMatch);
      assertCancellable(task);
      await w.append(`task:${id}`, task.version, "task-cancelled", {
        task: {
          ...snapshotOf(task),
          status: "cancelled",
          cancelledAt: now.toISOString(),
          updatedAt: now.toISOString(),
        },
        previousStatus: task.status,
      });
      return (await findTask(w.tx, id))!;
    },
  );
}
