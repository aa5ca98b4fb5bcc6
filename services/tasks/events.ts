/**
 * The tasks service's published event contract: what it puts on the `task-events` topic.
 * Other services (notifications) read the events through this file only, never through the
 * tasks service's internal model, so the tasks service may change its model freely as long as
 * this file stays compatible.
 */

export const CARD_TYPES = ["backlog", "todo", "doing", "done"] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const PRIORITIES = ["low", "medium", "high", "critical"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A task's status is its card's type, or "cancelled". */
export const TASK_STATUSES = [...CARD_TYPES, "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task as its events carry it (every task event holds the task after the change). */
export interface TaskSnapshot {
  readonly id: string;
  readonly boardId: string;
  readonly cardId: string;
  readonly title: string;
  readonly description: string | null;
  readonly priority: Priority;
  readonly status: TaskStatus;
  readonly assigneeId: string | null;
  /** ISO 8601. */
  readonly dueDate: string | null;
  readonly tags: readonly string[];
  readonly position: number;
  readonly completedAt: string | null;
  readonly cancelledAt: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface CommentSnapshot {
  readonly id: string;
  readonly taskId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Events of the tasks service, appended to per-aggregate streams (`board:<id>`, `card:<id>`,
 * `task:<id>`, `comment:<id>`) and published on `task-events`. Task events carry the whole
 * task after the change (`task`), comment events the comment and its task's id, so that
 * consumers (activities, notifications) need nothing but the event.
 *
 * Message body (kernel `EventMessage`): `{ eventId, streamId, version, type, data, actor, occurredAt }`.
 */
export const TASK_EVENTS_TOPIC = "task-events";

export interface TaskEventData {
  "board-created": { boardId: string; projectId: string; ownerId: string; name: string };
  "board-renamed": { boardId: string; name: string };
  "board-deleted": { boardId: string };
  /** `wipLimit` is absent in events written before cards had one. */
  "card-created": {
    cardId: string;
    boardId: string;
    name: string;
    type: CardType;
    position: number;
    wipLimit?: number | null;
  };
  "card-updated": {
    cardId: string;
    boardId: string;
    name: string;
    type: CardType;
    position: number;
    wipLimit?: number | null;
  };
  "card-deleted": { cardId: string; boardId: string };
  "task-created": { task: TaskSnapshot };
  /** Fields the change touched, by name. */
  "task-updated": { task: TaskSnapshot; changed: string[] };
  "task-moved": { task: TaskSnapshot; fromCardId: string; fromPosition: number; fromStatus: string };
  "task-assigned": { task: TaskSnapshot; previousAssigneeId: string | null };
  "task-cancelled": { task: TaskSnapshot; previousStatus: string };
  "comment-added": { comment: CommentSnapshot; boardId: string };
  "comment-edited": { comment: CommentSnapshot; boardId: string };
  "comment-deleted": { comment: CommentSnapshot; boardId: string };
}

export type TaskEventType = keyof TaskEventData;

export function event<T extends TaskEventType>(type: T, data: TaskEventData[T]): { type: T; data: TaskEventData[T] } {
  return { type, data };
}
