import { PGlite, parse, protocol } from "@electric-sql/pglite";
import pgUtils from "pg/lib/utils.js";
import type { Database, Queryable } from "./database.js";

/**
 * The embedded PostgreSQL. It has a single connection, so every query and transaction goes
 * through one queue: a query from outside must never land inside someone else's transaction.
 *
 * Each call into the embedded engine costs about 70 µs whatever it does, and PGlite's own
 * `query` makes six of them (parse, describe, bind, describe, execute, sync) and plans the
 * statement every time. Here a statement is one call: its messages go in one buffer, as a
 * driver pipelines them over a socket, and it is parsed and planned once per text (a named
 * prepared statement). A transaction's BEGIN rides along with its first statement.
 */

const { serialize } = protocol;

/** The same parameter encoding as `pg` uses, so both databases see the same text for a value. */
const encode = (value: unknown) => pgUtils.prepareValue(value) as string | null;

const BEGIN = serialize.query("BEGIN");
/**
 * Statements kept prepared; texts beyond these are parsed each time they run, so that SQL
 * built at run time cannot grow the engine's memory without bound.
 */
const MAX_PREPARED = 500;
/** The longest run of queued jobs before the queue yields to I/O. */
const SLICE_MS = 2;

export function wrapPglite(db: PGlite): Database {
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  // The engine runs synchronously inside each call, so a queue of jobs would otherwise run
  // back to back in one turn of the event loop: requests would wait for the whole queue
  // before their socket is even read. After a few milliseconds of work, let I/O in.
  let sliceStarted = 0;
  let queued = 0;
  const fair = async <T>(work: () => Promise<T>): Promise<T> => {
    if (performance.now() - sliceStarted > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
    try {
      return await work();
    } finally {
      queued -= 1;
    }
  };
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    // An idle queue starts a new slice: a lone job runs at once.
    if (queued === 0) sliceStarted = performance.now();
    queued += 1;
    const next = tail.then(
      () => fair(work),
      () => fair(work),
    );
    tail = next.catch(() => {});
    return next;
  };

  /** Statement text → its prepared name on the one connection. */
  const prepared = new Map<string, string>();
  let counter = 0;

  const run = async <R extends object>(
    sql: string,
    params: readonly unknown[] | undefined,
    options: { begin: boolean; durable: boolean },
  ): Promise<R[]> => {
    const parts: Uint8Array[] = options.begin ? [BEGIN] : [];
    let name = prepared.get(sql);
    const preparing = name === undefined && prepared.size < MAX_PREPARED;
    if (name === undefined) {
      // Once the cache is full, the unnamed statement: parsed for this run only.
      name = preparing ? `taskflow_${++counter}` : "";
      parts.push(serialize.parse({ name, text: sql }));
    }
    parts.push(
      serialize.bind({ statement: name, values: (params ?? []).map(encode) }),
      serialize.describe({ type: "P" }),
      serialize.execute({}),
      serialize.sync(),
    );
    const { messages } = await db.execProtocol(Buffer.concat(parts), {
      syncToFs: options.durable,
      throwOnError: false,
    });
    // A statement that failed to parse has no name yet; one that parsed keeps it even when
    // its execution failed (prepared statements outlive transactions).
    if (preparing && messages.some((m) => m.name === "parseComplete")) prepared.set(sql, name);
    const failure = messages.find((m) => m.name === "error");
    if (failure) throw failure;
    const results = parse.parseResults(messages, db.parsers);
    return (results[results.length - 1]?.rows ?? []) as R[];
  };

  /** A script (migrations): plain `exec`, after which cached plans may name dropped columns. */
  const script = async (sql: string) => {
    await db.exec(sql);
    if (prepared.size > 0) {
      prepared.clear();
      await db.exec("DEALLOCATE ALL");
    }
  };

  return {
    kind: "pglite",
    query: (sql, params) => exclusive(() => run(sql, params, { begin: false, durable: true })),
    exec: (sql) => exclusive(() => script(sql)),
    transaction: (work) =>
      exclusive(async () => {
        let begun = false;
        const begin = () => {
          const first = !begun;
          begun = true;
          return first;
        };
        const tx: Queryable = {
          query: (sql, params) => run(sql, params, { begin: begin(), durable: false }),
          exec: async (sql) => {
            if (begin()) await db.exec("BEGIN");
            await script(sql);
          },
        };
        try {
          const result = await work(tx);
          if (begun) await db.exec("COMMIT");
          return result;
        } catch (error) {
          if (begun) await db.exec("ROLLBACK").catch(() => {});
          throw error;
        }
      }),
    async ping() {
      try {
        await exclusive(() => run("SELECT 1", undefined, { begin: false, durable: false }));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await exclusive(() => db.close());
    },
  };
}

/**
 * Each new 16 MB WAL segment is otherwise filled with zeros first, inside whichever statement
 * crosses into it: a 150 ms stall under a steady write load. The files it would zero are new
 * (sparse), so the file system already reads them as zeros.
 */
const SETTINGS = ["wal_init_zero = off"];

/** Opens PGlite in memory (`dataDir` undefined) or backed by a directory. */
export async function createPgliteDatabase(
  dataDir?: string,
  options: { loadDataDir?: Blob | File } = {},
): Promise<Database> {
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...options, postgresqlconf: SETTINGS });
  return wrapPglite(db);
}
