import type { Queryable } from "./database.js";

/**
 * Bookkeeping rows that only matter for a while: `Idempotency-Key` responses (a client retries
 * within minutes, not days) and inbox ids (a broker redelivers within its retention, days at
 * most). Sent outbox rows are kept for the same time, for inspection.
 */
export interface RetentionPolicy {
  /** @default 24 hours */
  readonly idempotencyKeysMs?: number;
  /** @default 7 days */
  readonly inboxMs?: number;
  /** @default 7 days */
  readonly sentOutboxMs?: number;
}

const HOUR = 3_600_000;

export async function pruneBookkeeping(db: Queryable, policy: RetentionPolicy = {}): Promise<number> {
  const seconds = (ms: number) => ms / 1000;
  const removed = await Promise.all([
    db.query("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1) RETURNING key", [
      seconds(policy.idempotencyKeysMs ?? 24 * HOUR),
    ]),
    db.query("DELETE FROM inbox WHERE processed_at < now() - make_interval(secs => $1) RETURNING message_id", [
      seconds(policy.inboxMs ?? 7 * 24 * HOUR),
    ]),
    db.query(
      "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(secs => $1) RETURNING id",
      [seconds(policy.sentOutboxMs ?? 7 * 24 * HOUR)],
    ),
  ]);
  return removed.reduce((total, rows) => total + rows.length, 0);
}
