import type { CardType, CommentSnapshot, TaskSnapshot } from "./model.js";

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
