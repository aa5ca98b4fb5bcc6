import type { Queryable } from "../../kernel/db/database.js";
import type { Page } from "../../kernel/page.js";
import type { Activity, Board, Card, Comment, Priority, Task, TaskStatus } from "../domain/model.js";
import {
  type ActivityRow,
  type BoardRow,
  type CardRow,
  type CommentRow,
  type TaskRow,
  toActivity,
  toBoard,
  toCard,
  toComment,
  toTask,
} from "./rows.js";

/**
 * Reads of the read models. `forUpdate` locks the row for the rest of the transaction, so
 * that limits counted under it (cards per board, tasks per board) cannot be raced past.
 */

const lock = (forUpdate: boolean | undefined) => (forUpdate ? " FOR UPDATE" : "");

/**
 * One page of `SELECT <columns> <from> ORDER BY <order>` and the total: the total rides along
 * with the page (one round trip); only a page past the end needs a count of its own.
 */
async function pageWithTotal<R extends object>(
  db: Queryable,
  from: string,
  order: string,
  params: readonly unknown[],
  page: { page: number; pageSize: number },
  columns = "*",
): Promise<{ rows: R[]; total: number }> {
  const rows = await db.query<R & { total_count: number }>(
    `SELECT ${columns}, (count(*) OVER ())::int AS total_count ${from} ORDER BY ${order}
     LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`,
    params,
  );
  const total = rows[0]?.total_count;
  if (total !== undefined || page.page === 1) return { rows, total: total ?? 0 };
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`, params);
  return { rows, total: count?.n ?? 0 };
}

export async function findBoard(db: Queryable, id: string, forUpdate?: boolean): Promise<Board | undefined> {
  const [row] = await db.query<BoardRow>(`SELECT * FROM boards WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toBoard(row);
}

export async function listBoards(
  db: Queryable,
  ownerId: string,
  filter: { projectId?: string | undefined; page: number; pageSize: number },
): Promise<Page<Board>> {
  const where = filter.projectId ? "owner_id = $1 AND project_id = $2" : "owner_id = $1";
  const params: unknown[] = filter.projectId ? [ownerId, filter.projectId] : [ownerId];
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM boards WHERE ${where}`, params);
  const rows = await db.query<BoardRow>(
    `SELECT * FROM boards WHERE ${where} ORDER BY created_at, id LIMIT ${filter.pageSize} OFFSET ${(filter.page - 1) * filter.pageSize}`,
    params,
  );
  return { items: rows.map(toBoard), page: filter.page, pageSize: filter.pageSize, total: count?.n ?? 0 };
}

export async function findCard(db: Queryable, id: string, forUpdate?: boolean): Promise<Card | undefined> {
  const [row] = await db.query<CardRow>(`SELECT * FROM cards WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toCard(row);
}

export async function listCards(db: Queryable, boardId: string): Promise<Card[]> {
  const rows = await db.query<CardRow>("SELECT * FROM cards WHERE board_id = $1 ORDER BY position, id", [boardId]);
  return rows.map(toCard);
}

export async function countCards(db: Queryable, boardId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM cards WHERE board_id = $1", [boardId]);
  return row?.n ?? 0;
}

/** Tasks on a board, and of those, in one of its cards (one query for both limits). */
export async function countTasks(
  db: Queryable,
  where: { boardId: string; cardId: string },
): Promise<{ board: number; card: number }> {
  const [row] = await db.query<{ board: number; card: number }>(
    "SELECT count(*)::int AS board, (count(*) FILTER (WHERE card_id = $2))::int AS card FROM tasks WHERE board_id = $1",
    [where.boardId, where.cardId],
  );
  return { board: row?.board ?? 0, card: row?.card ?? 0 };
}

/**
 * `countTasks` and `findCard` in one round trip (creating a task needs both): the counts, and
 * the card or undefined when it does not exist.
 */
export async function findCardWithTaskCounts(
  db: Queryable,
  where: { boardId: string; cardId: string },
): Promise<{ card: Card | undefined; counts: { board: number; card: number } }> {
  const [row] = await db.query<CardRow & { tasks_on_board: number; tasks_on_card: number }>(
    `SELECT counts.tasks_on_board, counts.tasks_on_card, c.*
     FROM (SELECT count(*)::int AS tasks_on_board, (count(*) FILTER (WHERE card_id = $2))::int AS tasks_on_card
           FROM tasks WHERE board_id = $1) counts
     LEFT JOIN cards c ON c.id = $2`,
    [where.boardId, where.cardId],
  );
  const counts = { board: row?.tasks_on_board ?? 0, card: row?.tasks_on_card ?? 0 };
  return { card: row?.id ? toCard(row) : undefined, counts };
}

export async function findTask(db: Queryable, id: string, forUpdate?: boolean): Promise<Task | undefined> {
  const [row] = await db.query<TaskRow>(`SELECT * FROM tasks WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toTask(row);
}

/** A task and its board in one round trip (every read or change of a task checks the board's owner). */
export async function findTaskWithBoard(
  db: Queryable,
  id: string,
  forUpdate?: boolean,
): Promise<{ task: Task; board: Board } | undefined> {
  const [row] = await db.query<
    TaskRow & {
      b_project_id: string;
      b_owner_id: string;
      b_name: string;
      b_version: number;
      b_created_at: Date;
      b_updated_at: Date;
    }
  >(
    `SELECT t.*, b.project_id AS b_project_id, b.owner_id AS b_owner_id, b.name AS b_name, b.version AS b_version,
            b.created_at AS b_created_at, b.updated_at AS b_updated_at
     FROM tasks t JOIN boards b ON b.id = t.board_id WHERE t.id = $1${forUpdate ? " FOR UPDATE OF t" : ""}`,
    [id],
  );
  if (!row) return undefined;
  const board = toBoard({
    id: row.board_id,
    project_id: row.b_project_id,
    owner_id: row.b_owner_id,
    name: row.b_name,
    version: row.b_version,
    created_at: row.b_created_at,
    updated_at: row.b_updated_at,
  });
  return { task: toTask(row), board };
}

export interface TaskFilter {
  readonly boardId?: string | undefined;
  readonly cardId?: string | undefined;
  readonly assigneeId?: string | undefined;
  readonly status?: TaskStatus | undefined;
  readonly priority?: Priority | undefined;
  readonly dueBefore?: string | undefined;
  readonly tag?: string | undefined;
  /** Text the title contains, ignoring case. */
  readonly q?: string | undefined;
  readonly page: number;
  readonly pageSize: number;
}

/** `LIKE` matches these literally only when escaped. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Tasks the user may see (on their boards, or assigned to them), filtered and paged. Across
 * boards, visibility is the union of two index scans (the tasks of the user's boards, the tasks
 * assigned to them), not an OR over a join, which the planner answers by reading every task:
 * so a list costs what the user's own tasks cost, however many tasks the database holds. One
 * board's list is already narrowed by its index, and the join's owner test is the cheaper one.
 */
export async function listTasks(db: Queryable, userId: string, filter: TaskFilter): Promise<Page<Task>> {
  const params: unknown[] = [userId];
  const where = [
    filter.boardId
      ? "(b.owner_id = $1 OR t.assignee_id = $1)"
      : `t.id IN (SELECT id FROM tasks WHERE board_id IN (SELECT id FROM boards WHERE owner_id = $1)
                  UNION ALL SELECT id FROM tasks WHERE assignee_id = $1)`,
  ];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (filter.boardId) add("t.board_id = ?", filter.boardId);
  if (filter.cardId) add("t.card_id = ?", filter.cardId);
  if (filter.assigneeId) add("t.assignee_id = ?", filter.assigneeId);
  if (filter.status) add("t.status = ?", filter.status);
  if (filter.priority) add("t.priority = ?", filter.priority);
  if (filter.dueBefore) add("t.due_date < ?", filter.dueBefore);
  if (filter.tag) add("t.tags @> ?::jsonb", JSON.stringify([filter.tag]));
  if (filter.q) add("t.title ILIKE ?", likePattern(filter.q));
  const tables = filter.boardId ? "tasks t JOIN boards b ON b.id = t.board_id" : "tasks t";
  const from = `FROM ${tables} WHERE ${where.join(" AND ")}`;
  const { rows, total } = await pageWithTotal<TaskRow>(
    db,
    from,
    "t.board_id, t.card_id, t.position, t.id",
    params,
    filter,
    "t.*",
  );
  return { items: rows.map(toTask), page: filter.page, pageSize: filter.pageSize, total };
}

export async function findComment(db: Queryable, id: string, forUpdate?: boolean): Promise<Comment | undefined> {
  const [row] = await db.query<CommentRow>(`SELECT * FROM comments WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toComment(row);
}

export async function listComments(
  db: Queryable,
  taskId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Comment>> {
  const { rows, total } = await pageWithTotal<CommentRow>(
    db,
    "FROM comments WHERE task_id = $1",
    "created_at, id",
    [taskId],
    page,
  );
  return { items: rows.map(toComment), ...page, total };
}

export async function listActivities(
  db: Queryable,
  taskId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Activity>> {
  const { rows, total } = await pageWithTotal<ActivityRow>(
    db,
    "FROM activities WHERE task_id = $1",
    "occurred_at, event_id",
    [taskId],
    page,
  );
  return { items: rows.map(toActivity), ...page, total };
}

/** Comments per task of a board, for the board's tiles; `assigneeId` narrows to one person's tasks. */
export async function commentCounts(
  db: Queryable,
  boardId: string,
  assigneeId?: string,
): Promise<Record<string, number>> {
  const rows = await db.query<{ task_id: string; count: number }>(
    `SELECT c.task_id, count(*)::int AS count FROM comments c JOIN tasks t ON t.id = c.task_id
     WHERE t.board_id = $1${assigneeId ? " AND t.assignee_id = $2" : ""} GROUP BY c.task_id`,
    assigneeId ? [boardId, assigneeId] : [boardId],
  );
  return Object.fromEntries(rows.map((r) => [r.task_id, r.count]));
}
