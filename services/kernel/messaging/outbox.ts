import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/database.js";
import { traceHeaders } from "../observability/tracing.js";

/**
 * The transactional outbox: a message is written in the same transaction as the change that
 * caused it, so it exists exactly when the change does. `OutboxRelay` publishes it later.
 */
export interface OutboxMessage {
  /** Becomes the broker message id; consumers de-duplicate on it. @default a random UUID */
  readonly id?: string;
  /** Logical topic name from `platform.ts`. */
  readonly topic: string;
  readonly key?: string;
  readonly body: unknown;
  /** Extra headers; the active trace context is added here so consumers continue the trace. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The column values of an outbox row, in the order of `OUTBOX_COLUMNS`. */
export function outboxValues(message: OutboxMessage): [string, string, string | null, string, string] {
  const id = message.id ?? randomUUID();
  const headers = { ...traceHeaders(), ...(message.headers ?? {}) };
  return [id, message.topic, message.key ?? null, JSON.stringify(headers), JSON.stringify(message.body)];
}

export const OUTBOX_COLUMNS = "message_id, topic, key, headers, body";

export async function enqueueOutbox(tx: Queryable, message: OutboxMessage): Promise<string> {
  const values = outboxValues(message);
  await tx.query(`INSERT INTO outbox (${OUTBOX_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, values);
  return values[0];
}
