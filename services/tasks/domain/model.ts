/** The tasks domain (DESIGN.md §4): boards → cards (columns) → tasks → comments. */

export const CARD_TYPES = ["backlog", "todo", "doing", "done"] as const;
export type CardType = (typeof CARD_TYPES)[number];

export const PRIORITIES = ["low", "medium", "high", "critical"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A task's status is its card's type, or "cancelled". */
export const TASK_STATUSES = [...CARD_TYPES, "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const LIMITS = {
  cardsPerBoard: 10,
  tasksPerBoard: 1000,
  nameMin: 3,
  nameMax: 50,
  titleMin: 3,
  titleMax: 50,
  descriptionMax: 2048,
  commentMin: 1,
  commentMax: 512,
  tagsMax: 10,
  tagMax: 30,
} as const;

export interface Board {
  readonly id: string;
  readonly projectId: string;
  readonly ownerId: string;
  readonly name: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Card {
  readonly id: string;
  readonly boardId: string;
  readonly name: string;
  readonly type: CardType;
  readonly position: number;
  /** Most tasks the card may hold; null for no limit. */
  readonly wipLimit: number | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

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

export interface Task extends TaskSnapshot {
  readonly version: number;
}

export interface CommentSnapshot {
  readonly id: string;
  readonly taskId: string;
  readonly authorId: string;
  readonly body: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Comment extends CommentSnapshot {
  readonly version: number;
}

export interface Activity {
  readonly eventId: string;
  readonly taskId: string;
  readonly boardId: string;
  readonly actorId: string;
  readonly type: string;
  readonly summary: string;
  readonly occurredAt: string;
}
