import { randomUUID } from "node:crypto";
import { PG_UNIQUE_VIOLATION, type Queryable, sqlState, violatedConstraint } from "./db/database.js";
import { ConcurrencyError } from "./errors.js";
import { OUTBOX_COLUMNS, outboxValues } from "./messaging/outbox.js";

/**
 * The event log (CQRS write side): one stream per aggregate, e.g. `task:<id>`. Appending with
 * an expected version is the optimistic-concurrency check: a second writer with the same
 * expectation hits the unique (stream_id, version) constraint and gets `ConcurrencyError`.
 */

export interface NewEvent<D extends object = object> {
  readonly type: string;
  readonly data: D;
}

export interface StoredEvent<D extends object = Record<string, unknown>> {
  /** Global order of the log; replay applies events in this order. */
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for the stream's first event. */
  readonly version: number;
  readonly type: string;
  readonly data: D;
  /** User id (or "system:<name>") that caused the event. */
  readonly actor: string;
  readonly occurredAt: Date;
}

/** The broker message body an event becomes on its topic. */
export interface EventMessage<D extends object = Record<string, unknown>> {
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly data: D;
  readonly actor: string;
  readonly occurredAt: string;
}

export interface AppendOptions {
  readonly streamId: string;
  /** Version the caller read; 0 for a new stream. */
  readonly expectedVersion: number;
  readonly events: readonly NewEvent[];
  readonly actor: string;
  /** Also write each event to the outbox for this topic, keyed by stream id (keeps per-aggregate order). */
  readonly topic?: string;
  /** Ordering key of the outbox messages when it is not the stream id (a comment ordered with its task). */
  readonly key?: string;
  readonly now?: Date;
}

interface EventRow {
  position: number | string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  actor: string;
  occurred_at: Date | string;
}

function toStored(row: EventRow): StoredEvent {
  return {
    position: Number(row.position),
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    data: row.data,
    actor: row.actor,
    occurredAt: new Date(row.occurred_at),
  };
}

export function toEventMessage(event: StoredEvent): EventMessage {
  const { eventId, streamId, version, type, data, actor } = event;
  return { eventId, streamId, version, type, data, actor, occurredAt: event.occurredAt.toISOString() };
}

const INSERT_EVENT = `INSERT INTO events (event_id, stream_id, version, type, data, actor, occurred_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING position`;

/**
 * The event and its outbox row in one statement: one round trip instead of two, which on the
 * embedded database's single connection is most of what a command costs.
 */
const INSERT_EVENT_AND_OUTBOX = `WITH event AS (${INSERT_EVENT}),
  outboxed AS (INSERT INTO outbox (${OUTBOX_COLUMNS}) SELECT $8, $9, $10, $11, $12 FROM event)
  SELECT position FROM event`;

/** Appends `events` inside the caller's transaction and returns them as stored. */
export async function appendToStream(tx: Queryable, options: AppendOptions): Promise<StoredEvent[]> {
  const stored: StoredEvent[] = [];
  const occurredAt = options.now ?? new Date();
  let version = options.expectedVersion;
  for (const event of options.events) {
    version += 1;
    const serialized = JSON.stringify(event.data);
    // What the database gives back for a JSONB column: undefined members gone, dates as strings.
    const saved: Omit<StoredEvent, "position"> = {
      eventId: randomUUID(),
      streamId: options.streamId,
      version,
      type: event.type,
      data: JSON.parse(serialized) as Record<string, unknown>,
      actor: options.actor,
      occurredAt: new Date(occurredAt.getTime()),
    };
    const params: unknown[] = [saved.eventId, saved.streamId, version, saved.type, serialized, saved.actor, occurredAt];
    if (options.topic) {
      params.push(
        ...outboxValues({
          id: saved.eventId,
          topic: options.topic,
          key: options.key ?? saved.streamId,
          body: toEventMessage({ ...saved, position: 0 }),
        }),
      );
    }
    let rows: { position: number | string }[];
    try {
      rows = await tx.query(options.topic ? INSERT_EVENT_AND_OUTBOX : INSERT_EVENT, params);
    } catch (error) {
      const constraint = violatedConstraint(error);
      const duplicateId = constraint === "events_event_id_key" || constraint?.startsWith("outbox_");
      if (sqlState(error) === PG_UNIQUE_VIOLATION && !duplicateId) {
        throw new ConcurrencyError(options.streamId, options.expectedVersion, { cause: error });
      }
      throw error;
    }
    stored.push({ ...saved, position: Number(rows[0]!.position) });
  }
  return stored;
}

/** Every event of one stream, oldest first. */
export async function readStream(db: Queryable, streamId: string): Promise<StoredEvent[]> {
  const rows = await db.query<EventRow>("SELECT * FROM events WHERE stream_id = $1 ORDER BY version", [streamId]);
  return rows.map(toStored);
}

/** Events after `afterPosition` in log order, `limit` at a time (for replay). */
export async function readAll(db: Queryable, afterPosition = 0, limit = 500): Promise<StoredEvent[]> {
  const rows = await db.query<EventRow>("SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2", [
    afterPosition,
    limit,
  ]);
  return rows.map(toStored);
}
