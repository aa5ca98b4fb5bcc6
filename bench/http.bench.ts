import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import autocannon from "autocannon";
import { createLocalJWKSet } from "jose";
import { MemoryCache } from "../adapters/memory/cache.js";
import { MemoryBroker } from "../adapters/memory/message-broker.js";
import { freePort } from "../scripts/emulators.js";
import { devHeaderIdentitySource, jwtIdentitySource } from "../services/kernel/auth/caller.js";
import { migrate } from "../services/kernel/db/migrate.js";
import { openDatabase } from "../services/kernel/db/open-database.js";
import { createOutboxRelay } from "../services/kernel/messaging/outbox-relay.js";
import { createLogger } from "../services/kernel/observability/logger.js";
import { initTracing } from "../services/kernel/observability/tracing.js";
import { listen } from "../services/kernel/runtime.js";
import {
  createTasksApp,
  startActivityConsumer,
  startUserEventsConsumer,
  TASKS_MIGRATIONS,
} from "../services/tasks/service.js";
import { projectCreated } from "../services/tasks/testing.js";
import { BENCH_TOKENS, BENCH_USER } from "./lib/bench-user.js";
import { startChild } from "./lib/child.js";
import { createBenchDatabase, pgbenchTps, postgresReachable } from "./lib/postgres.js";
import { type BenchResult, writeReport } from "./lib/report.js";

/**
 * The tasks service in local mode (in-memory broker and cache, PGlite in memory, outbox relay
 * and activity consumer running), in its own process, against bare express answering a small
 * JSON body in another process, both loaded by autocannon from this one in the same run.
 * Cases: GET one task (cached), POST a task (a transaction: event, outbox, projection), list a
 * board's tasks (20 a page). Figures: the highest rate (requests/s) and p50/p99 latency at
 * that rate and at half of it, and the service's resident memory afterwards. Ceilings, each
 * measured in the same run: bare express for reads; for a local-mode POST, express doing one
 * prepared PGlite INSERT per POST (the least any write costs on the embedded database, target
 * ratio ≥ 0.35); for a POST on the PostgreSQL server, pgbench's TPC-B at the same client count
 * on that server (target ≥ 0.5, and p99 ≤ 25 ms at half rate). Each case is warmed up first.
 * Logs are at "silent" so that the figures measure the service, not stdout.
 */

const CONNECTIONS = 10;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/**
 * The service process: the tasks app as local mode wires it. Callers are named by the
 * development header, or, given a JWKS (JSON), by access tokens it verifies, as behind the
 * gateway.
 */
async function serve(port: number, projectId: string, databaseUrl: string, jwksJson?: string): Promise<void> {
  initTracing({ serviceName: "tasks" });
  const db = await openDatabase(databaseUrl);
  await migrate(db, [TASKS_MIGRATIONS]);
  const broker = new MemoryBroker();
  const relay = createOutboxRelay({ db, broker });
  const { app } = createTasksApp({
    db,
    cache: new MemoryCache({ namespace: "tasks" }),
    log: createLogger({ service: "tasks", level: "silent" }),
    identity: jwksJson
      ? jwtIdentitySource({ keys: createLocalJWKSet(JSON.parse(jwksJson)), ...BENCH_TOKENS })
      : devHeaderIdentitySource(),
    notifyRelay: () => relay.notify(),
  });
  await startActivityConsumer({ db, broker });
  // Boards need a project their owner has; the users service would announce it like this.
  await startUserEventsConsumer({ db, broker });
  const { id, key, headers: eventHeaders, body } = projectCreated(BENCH_USER, projectId);
  await broker.publish("user-events", { id, key, headers: eventHeaders, body });
  relay.start();
  await listen(app, port);
  console.log("ready");
}

/**
 * The least a write costs on the embedded database: express with one prepared INSERT per POST
 * into PGlite in memory, no validation, events or outbox. A POST of the tasks service (a
 * transaction of several statements, then the relay and the activity consumer) cannot be
 * cheaper, so this ratio is the ceiling the POST figure sits under.
 */
async function serveWriteFloor(port: number): Promise<void> {
  const { default: express } = await import("express");
  const db = await openDatabase("pglite:memory");
  await db.exec("CREATE TABLE things (id UUID PRIMARY KEY, body JSONB NOT NULL)");
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json());
  app.post("/things", async (req, res) => {
    const id = randomUUID();
    await db.query("INSERT INTO things (id, body) VALUES ($1, $2)", [id, JSON.stringify(req.body)]);
    res.status(201).json({ id });
  });
  await listen(app, port);
  console.log("ready");
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

async function load(name: string, options: autocannon.Options): Promise<Run> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`[taskflow] [bench] ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** Steady state, not start-up: a short load first lets the JIT compile the path being measured. */
const WARM_UP_SECONDS = 2;

async function profile(name: string, options: autocannon.Options): Promise<{ max: Run; half: Run }> {
  await load(name, { ...options, duration: WARM_UP_SECONDS });
  const max = await load(name, options);
  const half = await load(name, { ...options, overallRate: Math.max(1, Math.floor(max.rps / 2)) });
  console.log(
    `[bench] ${name}: max ${max.rps.toFixed(0)} req/s (p50 ${max.p50} ms, p99 ${max.p99} ms); at half rate p50 ${half.p50} ms, p99 ${half.p99} ms`,
  );
  return { max, half };
}

/** The project every benchmark board belongs to (announced to the tasks service at start). */
const PROJECT_ID = randomUUID();
const headers = { "x-dev-user": BENCH_USER, "content-type": "application/json" };
type Boards = { board: string; card: string }[];

function poster(base: string) {
  return async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`[taskflow] [bench] setup ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
}

/** A board holds at most 1000 tasks, so POSTs rotate over many boards. */
async function seedBoards(base: string): Promise<Boards> {
  const post = poster(base);
  const boards: Boards = [];
  for (let i = 0; i < 60; i++) {
    const board = await post("/api/v1/boards", { projectId: PROJECT_ID, name: `Bench board ${i}` });
    const card = await post(`/api/v1/boards/${board.id}/cards`, { name: "To do", type: "todo" });
    boards.push({ board: board.id, card: card.id });
  }
  return boards;
}

let posted = 0;
function postOptions(base: string, boards: Boards): autocannon.Options {
  return {
    url: base,
    requests: [
      {
        method: "POST",
        setupRequest: (req) => {
          posted += 1;
          const target = boards[1 + (posted % (boards.length - 1))]!;
          return {
            ...req,
            path: `/api/v1/boards/${target.board}/tasks`,
            // A copy: autocannon writes content-length into the object it is given.
            headers: { ...headers },
            body: JSON.stringify({ cardId: target.card, title: `Bench task ${posted}`, priority: "high" }),
          };
        },
      },
    ],
  };
}

/**
 * The same POST against the same service on the PostgreSQL server (a pool of connections
 * instead of PGlite's one), in a database of its own, with pgbench's TPC-B-like transaction at
 * the same client count on the same server as its ceiling. Skipped when the server is not
 * reachable.
 */
async function postOnPostgres(): Promise<{ post: { max: Run; half: Run }; pgbench: number } | undefined> {
  if (!(await postgresReachable())) {
    console.log("[bench] PostgreSQL not reachable at 127.0.0.1:5432; the PostgreSQL POST figures are left out");
    return undefined;
  }
  const pgbench = await pgbenchTps(CONNECTIONS, SECONDS);
  console.log(`[bench] pgbench TPC-B, ${CONNECTIONS} clients: ${pgbench.toFixed(0)} tps`);
  const database = await createBenchDatabase("http");
  const port = await freePort();
  const server = await startChild([
    "--import",
    "tsx",
    "bench/http.bench.ts",
    "serve",
    String(port),
    PROJECT_ID,
    database.url,
  ]);
  try {
    const base = `http://127.0.0.1:${port}`;
    return { post: await profile("POST a task on PostgreSQL", postOptions(base, await seedBoards(base))), pgbench };
  } finally {
    server.stop();
    await new Promise((r) => setTimeout(r, 300));
    await database.drop();
  }
}

async function main(): Promise<void> {
  const barePort = await freePort();
  const program = `
    import express from "express";
    const app = express();
    app.disable("x-powered-by");
    app.get("/hello", (req, res) => res.json({ id: "00000000-0000-4000-8000-000000000000", title: "Write the release notes", status: "doing" }));
    app.listen(${barePort}, "127.0.0.1", () => console.log("ready"));`;
  const bare = await startChild(["--input-type=module", "-e", program]);
  const tasksPort = await freePort();
  const tasks = await startChild(["--import", "tsx", "bench/http.bench.ts", "serve", String(tasksPort), PROJECT_ID]);
  try {
    const base = `http://127.0.0.1:${tasksPort}`;
    const boards = await seedBoards(base);
    const post = poster(base);
    const first = boards[0]!;
    let task = { id: "" };
    for (let i = 0; i < 50; i++)
      task = await post(`/api/v1/boards/${first.board}/tasks`, { cardId: first.card, title: `Listed ${i}` });

    const hello = await profile("bare express GET", { url: `http://127.0.0.1:${barePort}/hello` });
    const get = await profile("GET one task (cached)", {
      url: `${base}/api/v1/tasks/${task.id}`,
      headers: { ...headers },
    });
    const list = await profile("list tasks (page of 20)", {
      url: `${base}/api/v1/tasks?boardId=${first.board}&pageSize=20`,
      headers: { ...headers },
    });
    const created = await profile("POST a task", postOptions(base, boards));
    const floorPort = await freePort();
    const floor = await startChild(["--import", "tsx", "bench/http.bench.ts", "write-floor", String(floorPort)]);
    let insert: { max: Run; half: Run };
    try {
      insert = await profile("one PGlite INSERT per POST", {
        url: `http://127.0.0.1:${floorPort}/things`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "Bench task", priority: "high" }),
      });
    } finally {
      floor.stop();
    }
    const memory = await rssMb(tasks.pid);
    console.log(`[bench] tasks service resident memory ${memory.toFixed(1)} MB`);
    const onPostgres = await postOnPostgres();

    const baseline = { name: "bare express GET req/s", value: hello.max.rps };
    const results: BenchResult[] = [
      { name: "bare express GET req/s", value: hello.max.rps, unit: "req/s" },
      { name: "bare express GET p99 at half rate", value: hello.half.p99, unit: "ms" },
    ];
    for (const [name, run] of [
      ["GET one task (cached)", get],
      ["POST a task", created],
      ["list tasks (page of 20)", list],
    ] as const) {
      results.push(
        { name: `${name} req/s`, value: run.max.rps, unit: "req/s", baseline },
        { name: `${name} p50 at max rate`, value: run.max.p50, unit: "ms" },
        { name: `${name} p99 at max rate`, value: run.max.p99, unit: "ms" },
        { name: `${name} p50 at half rate`, value: run.half.p50, unit: "ms" },
        { name: `${name} p99 at half rate`, value: run.half.p99, unit: "ms" },
      );
    }
    const floorBaseline = { name: "one PGlite INSERT per POST req/s", value: insert.max.rps };
    results.push(
      { name: "one PGlite INSERT per POST req/s", value: insert.max.rps, unit: "req/s", baseline },
      { name: "one PGlite INSERT per POST p99 at half rate", value: insert.half.p99, unit: "ms" },
      {
        name: "POST a task against the one-INSERT floor",
        value: created.max.rps,
        unit: "req/s",
        baseline: floorBaseline,
      },
      { name: "tasks service resident memory", value: memory, unit: "MB" },
    );
    if (onPostgres) {
      const { post, pgbench } = onPostgres;
      results.push(
        { name: `pgbench TPC-B tps at ${CONNECTIONS} clients`, value: pgbench, unit: "tps" },
        {
          name: "POST a task on PostgreSQL req/s",
          value: post.max.rps,
          unit: "req/s",
          baseline: { name: `pgbench TPC-B tps at ${CONNECTIONS} clients`, value: pgbench },
        },
        { name: "POST a task on PostgreSQL p50 at half rate", value: post.half.p50, unit: "ms" },
        { name: "POST a task on PostgreSQL p99 at half rate", value: post.half.p99, unit: "ms" },
      );
    }
    await writeReport("http", results);
  } finally {
    tasks.stop();
    bare.stop();
  }
}

if (process.argv[2] === "write-floor") {
  await serveWriteFloor(Number(process.argv[3]));
} else if (process.argv[2] === "serve") {
  await serve(Number(process.argv[3]), process.argv[4]!, process.argv[5] ?? "pglite:memory", process.argv[6]);
} else {
  await main();
}
