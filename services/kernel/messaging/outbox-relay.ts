import { createHash } from "node:crypto";
import { retryDelayMs } from "../../../adapters/core/backoff.js";
import type { IMessageBroker } from "../../../adapters/core/message-broker.js";
import type { Database } from "../db/database.js";
import { withPublishSpan } from "../observability/tracing.js";
import { createUpstreamPolicy, type UpstreamPolicy } from "../resilience.js";

/**
 * Publishes outbox rows through the broker in the order they were written, and marks each
 * sent. A publish that fails stops the pass (so order holds) and the relay retries after a
 * growing delay: a broker outage delays messages, never loses them. If the process dies
 * between publishing and marking a row sent, the row is published again on restart; consumers
 * absorb the duplicate through their inbox.
 *
 * On a PostgreSQL server every service shares one outbox table, so a relay handles only the
 * topics its service publishes (it may lack the right to publish any other), and of the
 * instances of one service only one relays at a time (a transaction-scoped advisory lock per
 * pass, keyed by those topics; the others skip that pass): two relays reading the same rows
 * would publish each twice and could interleave one key's messages. PGlite belongs to one
 * process, so there is no one to exclude there.
 */
export interface OutboxRelayOptions {
  readonly db: Database;
  readonly broker: IMessageBroker;
  /** Logical topics (platform.ts) this relay publishes; every row's topic when absent. */
  readonly topics?: readonly string[];
  /** Logical topic (platform.ts) → physical name; identity by default. */
  readonly resolveTopic?: (topic: string) => string;
  /** Idle poll interval. @default 250 */
  readonly pollMs?: number;
  /** Rows read per pass. @default 100 */
  readonly batchSize?: number;
  /** Delay after a failed publish grows from this. @default 200 */
  readonly initialRetryMs?: number;
  /** Longest delay between retries. @default 10_000 */
  readonly maxRetryMs?: number;
  /** Reports failed publishes (the relay keeps going). */
  readonly onError?: (error: unknown, messageId: string) => void;
  readonly policy?: UpstreamPolicy;
}

export interface OutboxRelay {
  start(): void;
  /** Wakes the relay now instead of at the next poll (call after a commit). */
  notify(): void;
  /**
   * Publishes everything pending; resolves when the outbox is empty (or another relay holds the
   * lock and is publishing it), rejects on the first failure.
   */
  flush(): Promise<void>;
  /** Rows not yet sent. */
  pending(): Promise<number>;
  /** Stops polling and waits for the current pass. Idempotent. */
  stop(): Promise<void>;
}

/** Advisory lock key of the relays of one set of topics: 63 bits of a digest of their names. */
function relayLockKey(topics: readonly string[] | undefined): string {
  const digest = createHash("sha256").update(`taskflow outbox relay\n${[...(topics ?? ["*"])].sort().join("\n")}`);
  return BigInt.asIntN(64, digest.digest().readBigInt64BE(0)).toString();
}

interface OutboxRow {
  id: number;
  message_id: string;
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  body: unknown;
  attempts: number;
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, broker } = options;
  const resolveTopic = options.resolveTopic ?? ((topic: string) => topic);
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 100;
  const topics = options.topics ? [...options.topics] : null;
  const lockKey = relayLockKey(options.topics);
  const policy =
    options.policy ?? createUpstreamPolicy(`broker:${broker.name}`, { timeoutMs: 5_000, breakerThreshold: 5 });
  let running = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let failures = 0;

  /**
   * One pass over the pending rows; throws on the first failed publish. `untilEmpty` reads
   * again after a short batch, for rows committed by writers that do not wake the relay.
   */
  async function pass(untilEmpty = false): Promise<number> {
    let sent = 0;
    for (;;) {
      const rows = await db.query<OutboxRow>(
        `SELECT id, message_id, topic, key, headers, body, attempts FROM outbox
          WHERE sent_at IS NULL AND ($2::text[] IS NULL OR topic = ANY($2::text[])) ORDER BY id LIMIT $1`,
        [batchSize, topics],
      );
      if (rows.length === 0) return sent;
      // Rows are marked sent per pass, not per row: a crash in between republishes a few, which the inbox absorbs.
      const published: number[] = [];
      try {
        for (const row of rows) {
          try {
            await withPublishSpan(`publish ${row.topic}`, row.headers, (headers) =>
              policy.execute(() =>
                broker.publish(resolveTopic(row.topic), {
                  id: row.message_id,
                  ...(row.key ? { key: row.key } : {}),
                  headers,
                  body: row.body,
                }),
              ),
            );
          } catch (error) {
            await db
              .query("UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1", [
                row.id,
                String((error as Error)?.message ?? error).slice(0, 500),
              ])
              .catch(() => {});
            options.onError?.(error, row.message_id);
            throw error;
          }
          published.push(row.id);
        }
      } finally {
        if (published.length > 0) {
          await db.query("UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])", [
            published,
          ]);
          sent += published.length;
        }
      }
      // A short batch was everything pending when it was read; a row committed since then woke
      // the relay again (notify), so reading once more here would only find nothing.
      if (!untilEmpty && rows.length < batchSize) return sent;
    }
  }

  /** `pass`, by whichever relay holds the database's relay lock; 0 for the others. */
  function exclusivePass(untilEmpty = false): Promise<number> {
    if (db.kind !== "postgres") return pass(untilEmpty);
    return db.transaction(async (tx) => {
      const [lock] = await tx.query<{ leader: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS leader", [lockKey]);
      return lock?.leader ? pass(untilEmpty) : 0;
    });
  }

  function schedule(delayMs: number): void {
    if (!running || stopped) return;
    clearTimeout(timer);
    timer = setTimeout(tick, delayMs);
    timer.unref?.();
  }

  function tick(): void {
    current = current.then(async () => {
      if (!running || stopped) return;
      try {
        await exclusivePass();
        failures = 0;
        schedule(pollMs);
      } catch {
        failures += 1;
        schedule(
          retryDelayMs(failures, { initialMs: options.initialRetryMs ?? 200, maxMs: options.maxRetryMs ?? 10_000 }),
        );
      }
    });
  }

  return {
    start() {
      if (running || stopped) return;
      running = true;
      schedule(0);
    },
    notify() {
      if (failures === 0) schedule(0);
    },
    flush() {
      const run = current.then(async () => {
        await exclusivePass(true);
      });
      current = run.catch(() => {});
      return run;
    },
    async pending() {
      const rows = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND ($1::text[] IS NULL OR topic = ANY($1::text[]))",
        [topics],
      );
      return rows[0]?.n ?? 0;
    },
    async stop() {
      stopped = true;
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
