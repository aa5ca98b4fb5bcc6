import type { CallerIdentity } from "../../kernel/auth/caller.js";
import { executeCommand, type UniqueFields } from "../../kernel/commands.js";
import type { Database, Queryable } from "../../kernel/db/database.js";
import { ForbiddenError, NotFoundError } from "../../kernel/errors.js";
import { appendToStream } from "../../kernel/event-log.js";
import { project } from "../data-access/projections.js";
import { findBoard, findTaskWithBoard } from "../data-access/store.js";
import { TASK_EVENTS_TOPIC, type TaskEventData, type TaskEventType } from "../events.js";
import type { Board, Task } from "./model.js";

/** What the use cases need: the database, a clock, and who to tell after a commit. */
/** How long board creation waits for a project it has not heard of yet. */
export interface ProjectWait {
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export interface TasksContext {
  readonly db: Database;
  readonly now?: () => Date;
  /** Called after each committed change with the ids of the aggregates it touched. */
  readonly onCommitted?: (ids: readonly string[]) => Promise<void> | void;
  /** How long creating a board waits for a project not yet replicated here. @default DEFAULT_PROJECT_WAIT */
  readonly projectWait?: ProjectWait;
}

export const clock = (ctx: TasksContext) => (ctx.now ? ctx.now() : new Date());

/** Appends events to a stream and applies them to the read models, in the caller's transaction. */
export interface Writer {
  readonly tx: Queryable;
  append<T extends TaskEventType>(
    streamId: string,
    expectedVersion: number,
    type: T,
    data: TaskEventData[T],
    options?: { key?: string },
  ): Promise<number>;
  /** Marks more aggregates as changed (rows a projection removed), for cache invalidation. */
  touch(...ids: readonly string[]): void;
}

const UNIQUE_FIELDS: UniqueFields = {
  boards_name_per_project: { field: "body.name", message: "a board with this name already exists in the project" },
  cards_name_per_board: { field: "body.name", message: "a card with this name already exists on the board" },
  tasks_title_per_board: { field: "body.title", message: "a task with this title already exists on the board" },
};

/**
 * Runs one command: a transaction in which events are appended (and projected), recorded
 * under `commandId` when the client sent one, with unique-name violations turned into 409s.
 */
export async function change<R>(
  ctx: TasksContext,
  command: { name: string; actor: string; commandId?: string | undefined; input?: unknown },
  work: (writer: Writer) => Promise<R>,
): Promise<R> {
  const touched = new Set<string>();
  const result = await executeCommand(ctx.db, { ...command, uniqueFields: UNIQUE_FIELDS }, (tx) =>
    work({
      tx,
      async append(streamId, expectedVersion, type, data, options = {}) {
        const [stored] = await appendToStream(tx, {
          streamId,
          expectedVersion,
          events: [{ type, data }],
          actor: command.actor,
          topic: TASK_EVENTS_TOPIC,
          ...(options.key ? { key: options.key } : {}),
          now: clock(ctx),
        });
        for (const shifted of await project(tx, stored!)) touched.add(shifted);
        touched.add(streamId.slice(streamId.indexOf(":") + 1));
        return stored!.version;
      },
      touch(...ids) {
        for (const id of ids) touched.add(id);
      },
    }),
  );
  await ctx.onCommitted?.([...touched]);
  return result;
}

/** The caller's board; anyone else's (or none) is a 404. */
export async function ownBoard(db: Queryable, caller: CallerIdentity, id: string, forUpdate?: boolean): Promise<Board> {
  const board = await findBoard(db, id, forUpdate);
  if (!board || board.ownerId !== caller.userId) throw new NotFoundError("board", id);
  return board;
}

/**
 * A board the caller may look at: their own, or one with a task assigned to them, so an
 * assignee can follow the board their work is on (read-only). Anyone else gets a 404.
 */
export async function visibleBoard(db: Queryable, caller: CallerIdentity, id: string): Promise<Board> {
  const board = await findBoard(db, id);
  if (board && board.ownerId === caller.userId) return board;
  if (board) {
    const [assigned] = await db.query("SELECT 1 FROM tasks WHERE board_id = $1 AND assignee_id = $2 LIMIT 1", [
      id,
      caller.userId,
    ]);
    if (assigned) return board;
  }
  throw new NotFoundError("board", id);
}

/**
 * A task the caller may see: on their board, or assigned to them. Changing it needs the
 * board's owner; an assignee who tries gets a 403 (they can see it, so a 404 would lie).
 */
export async function visibleTask(
  db: Queryable,
  caller: CallerIdentity,
  id: string,
  mode: "read" | "write",
  forUpdate?: boolean,
): Promise<{ task: Task; board: Board }> {
  const found = await findTaskWithBoard(db, id, forUpdate);
  if (!found) throw new NotFoundError("task", id);
  const { task, board } = found;
  const owner = board.ownerId === caller.userId;
  if (!owner && task.assigneeId !== caller.userId) throw new NotFoundError("task", id);
  if (mode === "write" && !owner) throw new ForbiddenError(`only the board's owner can change task "${id}"`);
  return { task, board };
}
