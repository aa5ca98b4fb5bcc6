import type { Queryable } from "../../kernel/db/database.js";
import type { EventMessage, StoredEvent } from "../../kernel/event-log.js";
import type { TaskSnapshot } from "../domain/model.js";
import type { TaskEventData, TaskEventType } from "../events.js";

/**
 * Read models as projections of the event log. Commands apply each event here in the same
 * transaction that appends it; `npm run replay` applies the whole log again from empty
 * tables and gets the same rows. Projections only use what the event carries (and the rows
 * earlier events built), never the clock, so a replay is deterministic.
 */

type Event<T extends TaskEventType> = Pick<StoredEvent, "version" | "occurredAt"> & { type: T; data: TaskEventData[T] };

/** Opens a gap at `position` in a card's ordering; returns the ids of the tasks it shifted. */
async function insertAt(tx: Queryable, cardId: string, position: number): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    "UPDATE tasks SET position = position + 1 WHERE card_id = $1 AND position >= $2 RETURNING id",
    [cardId, position],
  );
  return rows.map((r) => r.id);
}

/** Closes the gap a task left at `position`; returns the ids of the tasks it shifted. */
async function removeAt(tx: Queryable, cardId: string, position: number): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    "UPDATE tasks SET position = position - 1 WHERE card_id = $1 AND position > $2 RETURNING id",
    [cardId, position],
  );
  return rows.map((r) => r.id);
}

const UPSERT_TASK = `INSERT INTO tasks (id, board_id, card_id, title, description, priority, status, assignee_id,
                        due_date, tags, position, completed_at, cancelled_at, created_by, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (id) DO UPDATE SET card_id = EXCLUDED.card_id, title = EXCLUDED.title,
       description = EXCLUDED.description, priority = EXCLUDED.priority, status = EXCLUDED.status,
       assignee_id = EXCLUDED.assignee_id, due_date = EXCLUDED.due_date, tags = EXCLUDED.tags,
       position = EXCLUDED.position, completed_at = EXCLUDED.completed_at, cancelled_at = EXCLUDED.cancelled_at,
       version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`;

/**
 * `insertAt` and the new task's row in one statement ($3 is the card, $11 the position). Both
 * parts see the rows as they were before it, which is right for a task that did not exist yet.
 */
const INSERT_TASK_AT = `WITH shifted AS (
       UPDATE tasks SET position = position + 1 WHERE card_id = $3 AND position >= $11 RETURNING id),
     written AS (${UPSERT_TASK})
     SELECT id FROM shifted`;

function taskValues(task: TaskSnapshot, version: number): unknown[] {
  return [
    task.id,
    task.boardId,
    task.cardId,
    task.title,
    task.description,
    task.priority,
    task.status,
    task.assigneeId,
    task.dueDate,
    JSON.stringify(task.tags),
    task.position,
    task.completedAt,
    task.cancelledAt,
    task.createdBy,
    version,
    task.createdAt,
    task.updatedAt,
  ];
}

async function writeTask(tx: Queryable, task: TaskSnapshot, version: number): Promise<void> {
  await tx.query(UPSERT_TASK, taskValues(task, version));
}

async function moveCard(tx: Queryable, boardId: string, cardId: string, from: number | null, to: number) {
  if (from !== null) {
    await tx.query("UPDATE cards SET position = position - 1 WHERE board_id = $1 AND position > $2 AND id <> $3", [
      boardId,
      from,
      cardId,
    ]);
  }
  await tx.query("UPDATE cards SET position = position + 1 WHERE board_id = $1 AND position >= $2 AND id <> $3", [
    boardId,
    to,
    cardId,
  ]);
}

/**
 * Applies one event of the tasks service to the boards/cards/tasks/comments read models.
 * Returns the ids of other tasks whose position the event shifted (their cached copies are stale).
 */
export async function project(
  tx: Queryable,
  stored: Pick<StoredEvent, "type" | "data" | "version" | "occurredAt">,
): Promise<string[]> {
  const at = stored.occurredAt;
  const e = stored as Event<TaskEventType>;
  switch (e.type) {
    case "board-created": {
      const { data } = e as Event<"board-created">;
      await tx.query(
        "INSERT INTO boards (id, project_id, owner_id, name, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        [data.boardId, data.projectId, data.ownerId, data.name, e.version, at],
      );
      return [];
    }
    case "board-renamed": {
      const { data } = e as Event<"board-renamed">;
      await tx.query("UPDATE boards SET name = $2, version = $3, updated_at = $4 WHERE id = $1", [
        data.boardId,
        data.name,
        e.version,
        at,
      ]);
      return [];
    }
    case "board-deleted": {
      const { data } = e as Event<"board-deleted">;
      // Tasks reference cards without a cascade of their own; remove them first.
      await tx.query("DELETE FROM tasks WHERE board_id = $1", [data.boardId]);
      await tx.query("DELETE FROM boards WHERE id = $1", [data.boardId]);
      return [];
    }
    case "card-created": {
      const { data } = e as Event<"card-created">;
      await moveCard(tx, data.boardId, data.cardId, null, data.position);
      await tx.query(
        "INSERT INTO cards (id, board_id, name, type, position, wip_limit, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        [data.cardId, data.boardId, data.name, data.type, data.position, data.wipLimit ?? null, e.version, at],
      );
      return [];
    }
    case "card-updated": {
      const { data } = e as Event<"card-updated">;
      const [row] = await tx.query<{ position: number }>("SELECT position FROM cards WHERE id = $1", [data.cardId]);
      if (row && row.position !== data.position)
        await moveCard(tx, data.boardId, data.cardId, row.position, data.position);
      await tx.query(
        "UPDATE cards SET name = $2, type = $3, position = $4, wip_limit = $5, version = $6, updated_at = $7 WHERE id = $1",
        [data.cardId, data.name, data.type, data.position, data.wipLimit ?? null, e.version, at],
      );
      return [];
    }
    case "card-deleted": {
      const { data } = e as Event<"card-deleted">;
      const [row] = await tx.query<{ position: number }>("DELETE FROM cards WHERE id = $1 RETURNING position", [
        data.cardId,
      ]);
      if (row) {
        await tx.query("UPDATE cards SET position = position - 1 WHERE board_id = $1 AND position > $2", [
          data.boardId,
          row.position,
        ]);
      }
      return [];
    }
    case "task-created": {
      const { data } = e as Event<"task-created">;
      const shifted = await tx.query<{ id: string }>(INSERT_TASK_AT, taskValues(data.task, e.version));
      return shifted.map((r) => r.id);
    }
    case "task-moved": {
      const { data } = e as Event<"task-moved">;
      // Park the task outside every ordering while the others close and open their gaps.
      await tx.query("UPDATE tasks SET position = -1 WHERE id = $1", [data.task.id]);
      const closed = await removeAt(tx, data.fromCardId, data.fromPosition);
      const opened = await insertAt(tx, data.task.cardId, data.task.position);
      await writeTask(tx, data.task, e.version);
      return [...closed, ...opened];
    }
    case "task-updated":
    case "task-assigned":
    case "task-cancelled": {
      const { data } = e as Event<"task-updated">;
      await writeTask(tx, data.task, e.version);
      return [];
    }
    case "comment-added": {
      const { data } = e as Event<"comment-added">;
      const c = data.comment;
      await tx.query(
        "INSERT INTO comments (id, task_id, author_id, body, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [c.id, c.taskId, c.authorId, c.body, e.version, c.createdAt, c.updatedAt],
      );
      return [];
    }
    case "comment-edited": {
      const { data } = e as Event<"comment-edited">;
      await tx.query("UPDATE comments SET body = $2, version = $3, updated_at = $4 WHERE id = $1", [
        data.comment.id,
        data.comment.body,
        e.version,
        data.comment.updatedAt,
      ]);
      return [];
    }
    case "comment-deleted": {
      const { data } = e as Event<"comment-deleted">;
      await tx.query("DELETE FROM comments WHERE id = $1", [data.comment.id]);
      return [];
    }
  }
}

/** One line of the activity feed for an event about a task or its comments; undefined for others. */
export function describeActivity(
  message: Pick<EventMessage, "type" | "data">,
): { taskId: string; boardId: string; summary: string } | undefined {
  const data = message.data as Record<string, unknown>;
  const task = data.task as TaskSnapshot | undefined;
  switch (message.type) {
    case "task-created":
      return task && { taskId: task.id, boardId: task.boardId, summary: `created "${task.title}"` };
    case "task-updated":
      return (
        task && { taskId: task.id, boardId: task.boardId, summary: `changed ${(data.changed as string[]).join(", ")}` }
      );
    case "task-moved":
      return (
        task && {
          taskId: task.id,
          boardId: task.boardId,
          summary: `moved from ${String(data.fromStatus)} to ${task.status}`,
        }
      );
    case "task-assigned":
      return (
        task && {
          taskId: task.id,
          boardId: task.boardId,
          summary: task.assigneeId ? `assigned to ${task.assigneeId}` : "unassigned",
        }
      );
    case "task-cancelled":
      return task && { taskId: task.id, boardId: task.boardId, summary: "cancelled the task" };
    case "comment-added":
    case "comment-edited":
    case "comment-deleted": {
      const comment = data.comment as { taskId: string };
      const verb =
        message.type === "comment-added"
          ? "commented"
          : message.type === "comment-edited"
            ? "edited a comment"
            : "deleted a comment";
      return { taskId: comment.taskId, boardId: String(data.boardId), summary: verb };
    }
    default:
      return undefined;
  }
}

/** The `activities` read model: who did what to a task, when. Idempotent on the event id. */
export async function projectActivity(tx: Queryable, message: EventMessage): Promise<void> {
  const activity = describeActivity(message);
  if (!activity) return;
  await tx.query(
    `INSERT INTO activities (event_id, task_id, board_id, actor_id, type, summary, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
    [
      message.eventId,
      activity.taskId,
      activity.boardId,
      message.actor,
      message.type,
      activity.summary,
      message.occurredAt,
    ],
  );
}
