import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { MemoryCache, type MemoryCacheFaults } from "../../../adapters/memory/cache.js";
import { MemoryBroker } from "../../../adapters/memory/message-broker.js";
import { devHeaderIdentitySource } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { openTestDatabase } from "../../kernel/db/testing.js";
import { type DevUserCall, devUserCall, type Json } from "../../kernel/http/test-client.js";
import { createOutboxRelay } from "../../kernel/messaging/outbox-relay.js";
import { createLogger } from "../../kernel/observability/logger.js";
import { listen } from "../../kernel/runtime.js";
import { createTasksApp, startActivityConsumer, startUserEventsConsumer, TASKS_MIGRATIONS } from "../service.js";
import { knownProject } from "../testing.js";

/**
 * The tasks HTTP API as its tests use it: the real app on a free port over an embedded
 * database, with its outbox relay, its activity and user-events consumers on an in-memory broker
 * that delivers every message twice (so the inbox is always exercised), and a cache whose outage
 * a test can switch on. Each test file gets its own, started before its tests and stopped after.
 */

export type { ApiResponse, Json } from "../../kernel/http/test-client.js";

/** A due date that is never in the past. */
export const FUTURE = "2099-06-01T00:00:00.000Z";

/** How long a board creation waits for an unknown project: short, so that a 404 does not slow a suite. */
export const PROJECT_WAIT = { timeoutMs: 400, pollMs: 20 } as const;

export interface TasksApi {
  readonly db: Database;
  readonly base: string;
  readonly app: ReturnType<typeof createTasksApp>;
  /** What the service's relay publishes to and its consumers read from. */
  readonly broker: MemoryBroker;
  /** Set `unavailable` to take the cache away. */
  readonly faults: MemoryCacheFaults;
  /** A request as `user` (the dev identity header), JSON in and out. */
  readonly call: DevUserCall;
  /** Events in the log, to show that a refused request wrote nothing. */
  eventCount(): Promise<number>;
  /** A new board in one of `user`'s projects, with a todo and a done card. */
  board(user?: string): Promise<{ board: Json; todo: Json; done: Json }>;
}

/** Starts the API in `beforeAll` and stops it in `afterAll`; read the returned getter inside tests. */
export function useTasksApi(): () => TasksApi {
  let api: TasksApi | undefined;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const db = await openTestDatabase("pglite", [TASKS_MIGRATIONS]);
    const faults: MemoryCacheFaults = { unavailable: false };
    const broker = new MemoryBroker({ duplicateRate: 1 });
    const relay = createOutboxRelay({ db, broker, pollMs: 20 });
    const app = createTasksApp({
      db,
      cache: new MemoryCache({ namespace: `tasks-${randomUUID()}`, faults }),
      log: createLogger({ service: "tasks", level: "silent" }),
      identity: devHeaderIdentitySource(),
      notifyRelay: () => relay.notify(),
      cacheTimeoutMs: 100,
      projectWait: PROJECT_WAIT,
    });
    const consumer = await startActivityConsumer({ db, broker });
    const userEvents = await startUserEventsConsumer({ db, broker });
    relay.start();
    const server = await listen(app.app, 0);
    const base = `http://127.0.0.1:${server.port}`;
    cleanup.push(
      server.close,
      () => consumer.close(),
      () => userEvents.close(),
      () => relay.stop(),
      () => broker.close(),
      () => db.close(),
    );

    const call = devUserCall(base);
    api = {
      db,
      base,
      app,
      broker,
      faults,
      call,
      eventCount: async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM events"))[0]!.n,
      async board(user = "alice") {
        const b = await call(user, "POST", "/api/v1/boards", {
          projectId: await knownProject(db, user),
          name: `Board ${randomUUID().slice(0, 6)}`,
        });
        const todo = await call(user, "POST", `/api/v1/boards/${b.body.id}/cards`, { name: "To do", type: "todo" });
        const done = await call(user, "POST", `/api/v1/boards/${b.body.id}/cards`, { name: "Done", type: "done" });
        return { board: b.body, todo: todo.body, done: done.body };
      },
    };
  });
  afterAll(async () => {
    for (const step of cleanup.splice(0)) await step();
  });

  return () => {
    if (!api) throw new Error("[taskflow] [tests] the tasks API is used before its beforeAll has run");
    return api;
  };
}
