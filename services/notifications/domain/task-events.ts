import type { EventMessage } from "../../kernel/event-log.js";
import type { TaskChange, TaskFact } from "./rules.js";

/**
 * The tasks service's events (`task-events`), reduced to `TaskChange`. Events that do not
 * concern a task's recipients, title, status or due date map to `undefined` and are skipped.
 */

const str = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
const date = (value: unknown): Date | null => (typeof value === "string" ? new Date(value) : null);
const CLOSED = new Set(["done", "cancelled"]);

export function toTaskChange(event: EventMessage): TaskChange | undefined {
  const data = event.data as Record<string, unknown>;
  const taskId = str(data.taskId) ?? (event.streamId.startsWith("task:") ? event.streamId.slice(5) : null);
  if (!taskId) return undefined;
  const actorId = event.actor;
  switch (event.type) {
    case "task-created": {
      const status = str(data.status);
      const fact: TaskFact = {
        taskId,
        boardId: str(data.boardId),
        title: str(data.title) ?? "(untitled)",
        creatorId: str(data.createdBy) ?? actorId,
        assigneeId: str(data.assigneeId),
        status,
        dueAt: date(data.dueDate),
        closed: status !== null && CLOSED.has(status),
      };
      return { kind: "created", actorId, fact };
    }
    case "task-updated":
    case "task-assigned":
    case "task-moved":
    case "task-cancelled": {
      const patch: { -readonly [K in keyof TaskFact]?: TaskFact[K] } = {};
      if ("title" in data && str(data.title)) patch.title = str(data.title)!;
      if ("assigneeId" in data) patch.assigneeId = str(data.assigneeId);
      if ("dueDate" in data) patch.dueAt = date(data.dueDate);
      if ("boardId" in data && str(data.boardId)) patch.boardId = str(data.boardId);
      const status = event.type === "task-cancelled" ? "cancelled" : str(data.status);
      if (status) {
        patch.status = status;
        patch.closed = CLOSED.has(status);
      }
      return { kind: "updated", actorId, taskId, patch };
    }
    case "comment-added": {
      const text = str(data.body) ?? str(data.text) ?? "";
      return { kind: "commented", actorId, taskId, excerpt: text.length > 80 ? `${text.slice(0, 77)}...` : text };
    }
    case "task-deleted":
      return { kind: "deleted", actorId, taskId };
    default:
      return undefined;
  }
}
