import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Database } from "../services/kernel/db/database.js";
import { migrate } from "../services/kernel/db/migrate.js";
import { openDatabase } from "../services/kernel/db/open-database.js";
import { listTasks, type TaskFilter } from "../services/tasks/data-access/store.js";
import { TASKS_MIGRATIONS } from "../services/tasks/service.js";
import { latencySummary } from "./lib/measure.js";
import { createBenchDatabase, postgresReachable } from "./lib/postgres.js";
import { type BenchResult, RESULTS_DIR, writeReport } from "./lib/report.js";
import { skipBench } from "./lib/skip.js";

/**
 * Growth with data: the tasks service's list query (`listTasks`, as `GET /tasks` runs it) on
 * PostgreSQL holding 1k, 10k and 100k tasks. The data grows the way a growing user base adds
 * it: more users, each with five boards of 100 tasks (four cards), some tasks assigned to a
 * neighbour, priorities, tags and due dates spread over them. One user's cases are measured
 * at every size: the first page of their tasks, filtered by assignee, priority, tag and due
 * date, and a title search. A query that scans every task grows with the table; one that
 * reads through indexes costs what that user's tasks cost. Figures: p50/p99 per case and size
 * (sequential calls after a warm-up), the 1k to 100k growth ratio of each, and the plan
 * (`EXPLAIN ANALYZE`) of the slowest case at 100k in `growth-plan.txt`. Rows are loaded with
 * SQL straight into the read model: the bench measures reads, not the write path.
 */

const SIZES = [1_000, 10_000, 100_000] as const;
const TASKS_PER_BOARD = 100;
const BOARDS_PER_USER = 5;
const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const USER = "user-0";
const NEIGHBOUR = "user-1";

type Filter = Omit<TaskFilter, "page" | "pageSize">;
const CASES: readonly { readonly name: string; readonly filter: Filter }[] = [
  { name: "list (first page)", filter: {} },
  { name: "filter assignee", filter: { assigneeId: NEIGHBOUR } },
  { name: "filter priority", filter: { priority: "high" } },
  { name: "filter tag", filter: { tag: "tag-3" } },
  { name: "filter due", filter: { dueBefore: "2030-01-15T00:00:00.000Z" } },
  { name: "search title", filter: { q: "task 12" } },
];

/** `size` tasks over size/100 boards of size/500 users, in a few set-based statements. */
async function load(db: Database, size: number): Promise<void> {
  const boards = size / TASKS_PER_BOARD;
  await db.exec(`
    INSERT INTO boards (id, project_id, owner_id, name, version, created_at, updated_at)
      SELECT md5('board' || b)::uuid, md5('project' || (b / ${BOARDS_PER_USER}))::uuid,
             'user-' || (b / ${BOARDS_PER_USER}), 'Board ' || b, 1, now(), now()
      FROM generate_series(0, ${boards - 1}) AS b;
    INSERT INTO cards (id, board_id, name, type, position, version, created_at, updated_at)
      SELECT md5('card' || b || '-' || c)::uuid, md5('board' || b)::uuid, 'Card ' || c,
             (ARRAY['backlog', 'todo', 'doing', 'done'])[c + 1], c, 1, now(), now()
      FROM generate_series(0, ${boards - 1}) AS b, generate_series(0, 3) AS c;
    INSERT INTO tasks (id, board_id, card_id, title, description, priority, status, assignee_id, due_date, tags,
                       position, completed_at, cancelled_at, created_by, version, created_at, updated_at)
      SELECT md5('task' || i)::uuid, md5('board' || (i / ${TASKS_PER_BOARD}))::uuid,
             md5('card' || (i / ${TASKS_PER_BOARD}) || '-' || (i % 4))::uuid,
             'Task ' || i, NULL, (ARRAY['low', 'medium', 'high', 'critical'])[i % 4 + 1],
             (ARRAY['backlog', 'todo', 'doing', 'done'])[i % 4 + 1],
             CASE WHEN i % 7 = 0 THEN 'user-' || (i / ${TASKS_PER_BOARD * BOARDS_PER_USER} + 1) END,
             timestamptz '2030-01-01' + (i % 60) * interval '1 day',
             jsonb_build_array('tag-' || (i % 20), 'tag-' || (i % 7 + 20)),
             (i % ${TASKS_PER_BOARD}) / 4, NULL, NULL, 'user-' || (i / ${TASKS_PER_BOARD * BOARDS_PER_USER}), 1,
             now(), now()
      FROM generate_series(0, ${size - 1}) AS i;
    ANALYZE;`);
}

interface Measured {
  readonly p50: number;
  readonly p99: number;
}

async function measure(db: Database, filter: Filter): Promise<Measured> {
  const run = () => listTasks(db, USER, { ...filter, page: 1, pageSize: 20 });
  const first = await run();
  if (first.items.length === 0) throw new Error(`[taskflow] [bench] ${JSON.stringify(filter)} found no tasks`);
  for (let i = 0; i < 30; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  const { p50, p99 } = latencySummary(samples);
  return { p50, p99 };
}

/** The SQL `listTasks` sends for `filter`, captured from the call itself so the plan is of the real query. */
async function explain(db: Database, filter: Filter): Promise<string> {
  let captured: { sql: string; params: readonly unknown[] } | undefined;
  const spy: Database = {
    ...db,
    query: (sql, params) => {
      captured ??= { sql, params: params ?? [] };
      return db.query(sql, params);
    },
  };
  await listTasks(spy, USER, { ...filter, page: 1, pageSize: 20 });
  const rows = await db.query<{ "QUERY PLAN": string }>(
    `EXPLAIN (ANALYZE, BUFFERS) ${captured!.sql}`,
    captured!.params,
  );
  return `${captured!.sql.replace(/\s+/g, " ")}\n\n${rows.map((row) => row["QUERY PLAN"]).join("\n")}`;
}

async function main(): Promise<void> {
  if (!(await postgresReachable())) skipBench("PostgreSQL is not reachable at 127.0.0.1:5432");
  const figures = new Map<number, Map<string, Measured>>();
  let slowest = { p99: -1, name: "", plan: "" };
  for (const size of SIZES) {
    const bench = await createBenchDatabase(`growth_${size}`);
    const db = await openDatabase(bench.url);
    try {
      await migrate(db, [TASKS_MIGRATIONS]);
      await load(db, size);
      const bySize = new Map<string, Measured>();
      for (const { name, filter } of CASES) {
        const measured = await measure(db, filter);
        bySize.set(name, measured);
        console.log(
          `[bench] ${size} tasks, ${name}: p50 ${measured.p50.toFixed(2)} ms, p99 ${measured.p99.toFixed(2)} ms`,
        );
        if (size === SIZES.at(-1) && measured.p99 > slowest.p99) {
          slowest = { p99: measured.p99, name, plan: await explain(db, filter) };
        }
      }
      figures.set(size, bySize);
    } finally {
      await db.close();
      await bench.drop();
    }
  }
  const results: BenchResult[] = [];
  const smallest = figures.get(SIZES[0])!;
  for (const { name } of CASES) {
    for (const size of SIZES) {
      const { p50, p99 } = figures.get(size)!.get(name)!;
      results.push(
        { name: `${name}, ${size} tasks, p50`, value: p50, unit: "ms" },
        { name: `${name}, ${size} tasks, p99`, value: p99, unit: "ms" },
      );
    }
    const largest = figures.get(SIZES.at(-1)!)!.get(name)!;
    const base = smallest.get(name)!;
    results.push(
      {
        name: `${name}, growth 1k to 100k (p50)`,
        value: largest.p50,
        unit: "ms",
        baseline: { name: `${name}, 1000 tasks, p50`, value: base.p50 },
      },
      {
        name: `${name}, growth 1k to 100k (p99)`,
        value: largest.p99,
        unit: "ms",
        baseline: { name: `${name}, 1000 tasks, p99`, value: base.p99 },
      },
    );
  }
  await writeReport("growth", results);
  await writeFile(
    join(RESULTS_DIR, "growth-plan.txt"),
    `Slowest case at ${SIZES.at(-1)} tasks: ${slowest.name} (p99 ${slowest.p99.toFixed(2)} ms)\n\n${slowest.plan}\n`,
  );
}

await main();
