import type { Activity, Board, Card, CardType, Comment, Priority, Task, TaskStatus } from "../domain/model.js";

/** Read-model rows → domain objects (timestamps as ISO strings, as the API and events carry them). */

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export interface BoardRow {
  id: string;
  project_id: string;
  owner_id: string;
  name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}
export const toBoard = (r: BoardRow): Board => ({
  id: r.id,
  projectId: r.project_id,
  ownerId: r.owner_id,
  name: r.name,
  version: r.version,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export interface CardRow {
  id: string;
  board_id: string;
  name: string;
  type: CardType;
  position: number;
  wip_limit: number | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}
export const toCard = (r: CardRow): Card => ({
  id: r.id,
  boardId: r.board_id,
  name: r.name,
  type: r.type,
  position: r.position,
  wipLimit: r.wip_limit ?? null,
  version: r.version,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export interface TaskRow {
  id: string;
  board_id: string;
  card_id: string;
  title: string;
  description: string | null;
  priority: Priority;
  status: TaskStatus;
  assignee_id: string | null;
  due_date: Date | null;
  tags: string[];
  position: number;
  completed_at: Date | null;
  cancelled_at: Date | null;
  created_by: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}
export const toTask = (r: TaskRow): Task => ({
  id: r.id,
  boardId: r.board_id,
  cardId: r.card_id,
  title: r.title,
  description: r.description,
  priority: r.priority,
  status: r.status,
  assigneeId: r.assignee_id,
  dueDate: iso(r.due_date),
  tags: r.tags,
  position: r.position,
  completedAt: iso(r.completed_at),
  cancelledAt: iso(r.cancelled_at),
  createdBy: r.created_by,
  version: r.version,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export interface CommentRow {
  id: string;
  task_id: string;
  author_id: string;
  body: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}
export const toComment = (r: CommentRow): Comment => ({
  id: r.id,
  taskId: r.task_id,
  authorId: r.author_id,
  body: r.body,
  version: r.version,
  createdAt: iso(r.created_at)!,
  updatedAt: iso(r.updated_at)!,
});

export interface ActivityRow {
  event_id: string;
  task_id: string;
  board_id: string;
  actor_id: string;
  type: string;
  summary: string;
  occurred_at: Date;
}
export const toActivity = (r: ActivityRow): Activity => ({
  eventId: r.event_id,
  taskId: r.task_id,
  boardId: r.board_id,
  actorId: r.actor_id,
  type: r.type,
  summary: r.summary,
  occurredAt: iso(r.occurred_at)!,
});
