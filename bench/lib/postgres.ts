import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { tcpReachable } from "../../adapters/testing/servers.js";

/**
 * PostgreSQL for benchmarks: a database of the bench's own on the server at 127.0.0.1:5432,
 * created for one run and dropped after it (never a setting of the server changed), and
 * pgbench's TPC-B-like run against such a database as the write path's ceiling.
 */

export const BENCH_POSTGRES = { host: "127.0.0.1", port: 5432, user: "postgres" } as const;

export const postgresReachable = () => tcpReachable(BENCH_POSTGRES.host, BENCH_POSTGRES.port);

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

const serverUrl = (database: string) =>
  `postgres://${BENCH_POSTGRES.user}@${BENCH_POSTGRES.host}:${BENCH_POSTGRES.port}/${database}`;

/** A fresh database named for `purpose`; `drop()` removes it, closing whatever still uses it. */
export async function createBenchDatabase(purpose: string): Promise<BenchDatabase> {
  const name = `taskflow_bench_${purpose}_${randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: serverUrl("postgres") });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: serverUrl(name),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl("postgres") });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

const run = promisify(execFile);

/**
 * pgbench's TPC-B-like transaction (three UPDATEs, a SELECT and an INSERT between BEGIN and
 * END, committed with the server's fsync settings) with `clients` connections over TCP, the
 * transport the services use, for `seconds`. Returns transactions per second.
 */
export async function pgbenchTps(clients: number, seconds: number): Promise<number> {
  const db = await createBenchDatabase("pgbench");
  const connection = ["-h", BENCH_POSTGRES.host, "-p", String(BENCH_POSTGRES.port), "-U", BENCH_POSTGRES.user];
  try {
    await run("pgbench", ["-i", "-q", "-s", String(Math.max(clients, 1)), ...connection, db.name]);
    const { stdout } = await run("pgbench", [
      "-c",
      String(clients),
      "-j",
      "2",
      "-T",
      String(seconds),
      ...connection,
      db.name,
    ]);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
    if (!tps) throw new Error(`[taskflow] [bench] pgbench printed no tps figure:\n${stdout}`);
    return Number(tps);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    if (missing)
      throw new Error("[taskflow] [bench] pgbench is not installed; install the Debian package postgresql-client");
    throw error;
  } finally {
    await db.drop();
  }
}
