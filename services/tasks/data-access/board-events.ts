import type { Queryable } from "../../kernel/db/database.js";

/**
 * A board's events from the event log, for its live stream: the same events the service
 * publishes on `task-events`, read by log position so a reconnecting client resumes exactly
 * where it left off. The expression matches the `events_board_idx` index.
 */

const BOARD_OF = "coalesce(data ->> 'boardId', data -> 'task' ->> 'boardId')";

export interface BoardEvent {
  /** Log position: the stream's event id. */
  readonly position: string;
  readonly type: string;
  /** The aggregate's version after the event (a task's ETag for task events). */
  readonly version: number;
  readonly data: Record<string, unknown>;
  readonly actor: string;
  readonly occurredAt: string;
}

export async function latestPosition(db: Queryable): Promise<string> {
  const [row] = await db.query<{ position: string | null }>("SELECT max(position)::text AS position FROM events");
  return row?.position ?? "0";
}

/**
 * Events of `boardId` after `after`. The owner sees all; an assignee sees the board and its
 * cards, and tasks assigned to them (or just taken from them, so the tile can leave).
 */
export async function boardEventsAfter(
  db: Queryable,
  boardId: string,
  viewer: { userId: string; owner: boolean },
  after: string,
  limit: number,
): Promise<BoardEvent[]> {
  const visible = viewer.owner
    ? ""
    : `AND ((data -> 'task' IS NULL AND type NOT LIKE 'comment-%')
            OR data -> 'task' ->> 'assigneeId' = $4 OR data ->> 'previousAssigneeId' = $4)`;
  const rows = await db.query<{
    position: string;
    type: string;
    version: number;
    data: Record<string, unknown>;
    actor: string;
    occurred_at: Date | string;
  }>(
    `SELECT position::text AS position, type, version, data, actor, occurred_at FROM events
     WHERE ${BOARD_OF} = $1 AND position > $2 ${visible}
     ORDER BY position LIMIT $3`,
    viewer.owner ? [boardId, after, limit] : [boardId, after, limit, viewer.userId],
  );
  return rows.map((r) => ({
    position: r.position,
    type: r.type,
    version: r.version,
    data: r.data,
    actor: r.actor,
    occurredAt: new Date(r.occurred_at).toISOString(),
  }));
}
