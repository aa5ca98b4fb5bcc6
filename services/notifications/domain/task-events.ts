import type { EventMessage } from "../../kernel/event-log.js";
import type { TaskEventData, TaskSnapshot } from "../../tasks/events.js";
import type { TaskChange, TaskFact } from "./rules.js";

/**
 * The tasks service's events (`services/tasks/events.ts`, its published contract), reduced to `TaskChange`.
 * Task events carry the whole task after the change, so every one of them simply replaces
 * the stored fact; the rules compare before and after. Board and card events concern no
 * recipient, except a board's deletion, which ends its tasks' reminders.
 */

const CLOSED = new Set(["done", "cancelled"]);

export function factOf(task: TaskSnapshot): TaskFact {
  return {
    taskId: task.id,
    boardId: task.boardId,
    title: task.title,
    creatorId: task.createdBy,
    assigneeId: task.assigneeId,
    status: task.status,
    dueAt: task.dueDate === null ? null : new Date(task.dueDate),
    closed: CLOSED.has(task.status),
  };
}

const EXCERPT = 80;

export type TaskEventChange = TaskChange | { readonly kind: "board-deleted"; readonly boardId: string };

export function toTaskChange(event: EventMessage): TaskEventChange | undefined {
  const actorId = event.actor;
  switch (event.type) {
    case "task-created": {
      const { task } = event.data as unknown as TaskEventData["task-created"];
      return { kind: "created", actorId, fact: factOf(task) };
    }
    case "task-updated":
    case "task-moved":
    case "task-assigned":
    case "task-cancelled": {
      const { task } = event.data as unknown as TaskEventData["task-updated"];
      return { kind: "updated", actorId, taskId: task.id, fact: factOf(task) };
    }
    case "comment-added": {
      const { comment } = event.data as unknown as TaskEventData["comment-added"];
      const text = comment.body.replace(/\s+/g, " ").trim();
      const excerpt = text.length > EXCERPT ? `${text.slice(0, EXCERPT - 3)}...` : text;
      return { kind: "commented", actorId: comment.authorId, taskId: comment.taskId, excerpt };
    }
    case "board-deleted": {
      const { boardId } = event.data as unknown as TaskEventData["board-deleted"];
      return { kind: "board-deleted", boardId };
    }
    default:
      return undefined;
  }
}
