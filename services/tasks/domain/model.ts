/** The tasks domain (docs/design.md, domain): boards → cards (columns) → tasks → comments. */

import type { CardType, CommentSnapshot, TaskSnapshot } from "../events.js";

// What the events carry is published in ../events.ts, for other services to read.
export {
  CARD_TYPES,
  type CardType,
  type CommentSnapshot,
  PRIORITIES,
  type Priority,
  TASK_STATUSES,
  type TaskSnapshot,
  type TaskStatus,
} from "../events.js";

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

export interface Task extends TaskSnapshot {
  readonly version: number;
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
