import type { Queryable } from "../../kernel/db/database.js";
import type { NewNotification, NotificationKind, TaskFact } from "../domain/rules.js";

/** Storage of the task facts projection and of notifications. */

export interface Notification {
  /** Increasing; also the Server-Sent Events id. */
  readonly id: string;
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly taskId: string;
  readonly boardId: string | null;
  readonly title: string;
  readonly message: string;
  readonly actorId: string | null;
  readonly createdAt: string;
  readonly read: boolean;
}

interface NotificationRow {
  id: number | string;
  user_id: string;
  kind: NotificationKind;
  task_id: string;
  board_id: string | null;
  title: string;
  message: string;
  actor_id: string | null;
  created_at: Date | string;
  read_at: Date | string | null;
}

const toNotification = (row: NotificationRow): Notification => ({
  id: String(row.id),
  userId: row.user_id,
  kind: row.kind,
  taskId: row.task_id,
  boardId: row.board_id,
  title: row.title,
  message: row.message,
  actorId: row.actor_id,
  createdAt: new Date(row.created_at).toISOString(),
  read: row.read_at !== null,
});

interface FactRow {
  task_id: string;
  board_id: string | null;
  title: string;
  creator_id: string | null;
  assignee_id: string | null;
  status: string | null;
  due_at: Date | string | null;
  closed: boolean;
}

const toFact = (row: FactRow): TaskFact => ({
  taskId: row.task_id,
  boardId: row.board_id,
  title: row.title,
  creatorId: row.creator_id,
  assigneeId: row.assignee_id,
  status: row.status,
  dueAt: row.due_at === null ? null : new Date(row.due_at),
  closed: row.closed,
});

export async function findFact(db: Queryable, taskId: string): Promise<TaskFact | undefined> {
  const [row] = await db.query<FactRow>("SELECT * FROM task_facts WHERE task_id = $1", [taskId]);
  return row && toFact(row);
}

export async function saveFact(db: Queryable, fact: TaskFact): Promise<void> {
  await db.query(
    `INSERT INTO task_facts (task_id, board_id, title, creator_id, assignee_id, status, due_at, closed, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
     ON CONFLICT (task_id) DO UPDATE SET board_id = $2, title = $3, creator_id = $4, assignee_id = $5,
       status = $6, due_at = $7, closed = $8, updated_at = now()`,
    [fact.taskId, fact.boardId, fact.title, fact.creatorId, fact.assigneeId, fact.status, fact.dueAt, fact.closed],
  );
}

export async function deleteFact(db: Queryable, taskId: string): Promise<void> {
  await db.query("DELETE FROM task_facts WHERE task_id = $1", [taskId]);
}

export async function deleteBoardFacts(db: Queryable, boardId: string): Promise<void> {
  await db.query("DELETE FROM task_facts WHERE board_id = $1", [boardId]);
}

/** Open tasks due before `until`: the scheduler's work list. */
export async function factsDueBefore(db: Queryable, until: Date, limit = 500): Promise<TaskFact[]> {
  const rows = await db.query<FactRow>(
    "SELECT * FROM task_facts WHERE due_at IS NOT NULL AND NOT closed AND due_at <= $1 ORDER BY due_at LIMIT $2",
    [until, limit],
  );
  return rows.map(toFact);
}

/** Stores notifications; a reminder whose dedupe key exists already is skipped. Returns those stored. */
export async function insertNotifications(db: Queryable, list: readonly NewNotification[]): Promise<Notification[]> {
  const stored: Notification[] = [];
  for (const n of list) {
    const rows = await db.query<NotificationRow>(
      `INSERT INTO notifications (user_id, kind, task_id, board_id, title, message, actor_id, dedupe_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING *`,
      [n.userId, n.kind, n.taskId, n.boardId, n.title, n.message, n.actorId, n.dedupeKey ?? null],
    );
    if (rows[0]) stored.push(toNotification(rows[0]));
  }
  return stored;
}

export async function listNotifications(
  db: Queryable,
  userId: string,
  options: { page: number; pageSize: number; unreadOnly: boolean },
): Promise<{ items: Notification[]; total: number }> {
  const unread = options.unreadOnly ? " AND read_at IS NULL" : "";
  const rows = await db.query<NotificationRow>(
    `SELECT * FROM notifications WHERE user_id = $1${unread} ORDER BY id DESC LIMIT $2 OFFSET $3`,
    [userId, options.pageSize, (options.page - 1) * options.pageSize],
  );
  const [count] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1${unread}`,
    [userId],
  );
  return { items: rows.map(toNotification), total: count?.n ?? 0 };
}

export async function unreadCount(db: Queryable, userId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    [userId],
  );
  return row?.n ?? 0;
}

/** Notifications after `afterId`, oldest first: what a resuming stream missed. */
export async function notificationsAfter(
  db: Queryable,
  userId: string,
  afterId: string,
  limit = 100,
): Promise<Notification[]> {
  const rows = await db.query<NotificationRow>(
    "SELECT * FROM notifications WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    [userId, afterId, limit],
  );
  return rows.map(toNotification);
}

/** The newest id of the user's notifications, "0" when none: where a fresh stream starts. */
export async function latestId(db: Queryable, userId: string): Promise<string> {
  const [row] = await db.query<{ id: number | string | null }>(
    "SELECT max(id) AS id FROM notifications WHERE user_id = $1",
    [userId],
  );
  return row?.id == null ? "0" : String(row.id);
}

/** Marks one notification read; false when it is not the user's (the caller then answers 404). */
export async function markRead(db: Queryable, userId: string, id: string): Promise<Notification | undefined> {
  if (!/^\d+$/.test(id)) return undefined;
  const [row] = await db.query<NotificationRow>(
    "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND user_id = $2 RETURNING *",
    [id, userId],
  );
  return row && toNotification(row);
}

export async function markAllRead(db: Queryable, userId: string): Promise<number> {
  const rows = await db.query(
    "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL RETURNING id",
    [userId],
  );
  return rows.length;
}
