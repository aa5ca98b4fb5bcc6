import type { ICache } from "../../adapters/core/cache.js";
import type { Subscription } from "../../adapters/core/message-broker.js";
import type { IdentitySource } from "../kernel/auth/caller.js";
import { createCachedReads } from "../kernel/cached-read.js";
import type { Database } from "../kernel/db/database.js";
import type { MigrationSource } from "../kernel/db/migrate.js";
import type { EventMessage } from "../kernel/event-log.js";
import { createHttpApp, type HttpApp } from "../kernel/http/app.js";
import type { ReadinessCheck } from "../kernel/http/health.js";
import { type InboxConsumerDeps, subscribeWithInbox } from "../kernel/messaging/inbox.js";
import type { Logger } from "../kernel/observability/logger.js";
import { bindHost, listen, type ServiceRuntime } from "../kernel/runtime.js";
import { projectActivity } from "./data-access/projections.js";
import type { ProjectWait, TasksContext } from "./domain/context.js";
import { onUserEvent } from "./domain/user-events.js";
import { createBoardHub, mountBoardStream } from "./http/board-stream.js";
import { taskCacheKey, tasksRoutes } from "./http/routes.js";

/** The tasks service: boards, cards, tasks, comments and the activity feed (port 7001). */

export const TASKS_MIGRATIONS: MigrationSource = {
  scope: "tasks",
  dir: new URL("./data-access/migrations/", import.meta.url),
};

/** v1 of the tasks API is deprecated in favour of v2 (the task representation changed). */
export const TASKS_V1_DEPRECATION = {
  since: new Date("2026-11-01T00:00:00Z"),
  sunset: new Date("2027-11-01T00:00:00Z"),
  successor: 2,
} as const;

export interface TasksAppDeps {
  readonly db: Database;
  readonly cache: ICache;
  readonly log: Logger;
  readonly identity: IdentitySource;
  readonly readiness?: readonly ReadinessCheck[];
  /** Woken after each commit so events leave promptly. */
  readonly notifyRelay?: () => void;
  readonly now?: () => Date;
  /** How long a cached read waits for the cache before reading the database. @default 250 */
  readonly cacheTimeoutMs?: number;
  /** How long creating a board waits for a project not yet replicated from the users service. */
  readonly projectWait?: ProjectWait;
}

export function createTasksApp(deps: TasksAppDeps): HttpApp & { ctx: TasksContext } {
  const reads = createCachedReads(deps.cache, {
    ttlMs: 60_000,
    timeoutMs: deps.cacheTimeoutMs ?? 250,
    onCacheError: (error) => deps.log.warn({ err: error }, "cache unavailable; read from the database"),
  });
  const boards = createBoardHub();
  const ctx: TasksContext = {
    db: deps.db,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.projectWait ? { projectWait: deps.projectWait } : {}),
    async onCommitted(ids) {
      deps.notifyRelay?.();
      boards.notify();
      await reads.invalidate(...ids.map(taskCacheKey));
    },
  };
  const http = createHttpApp({
    service: "tasks",
    log: deps.log,
    identity: deps.identity,
    routes: tasksRoutes({ ctx, reads }),
    db: deps.db,
    readiness: deps.readiness ?? [{ name: "database", ping: () => deps.db.ping() }],
    configure: (app) => mountBoardStream(app, { ctx, hub: boards, identity: deps.identity }),
    versioning: { defaultVersion: 1, deprecated: { 1: TASKS_V1_DEPRECATION } },
    openapi: {
      title: "taskflow tasks",
      version: "2.0.0",
      description:
        "Boards, cards, tasks, comments and activities. v2 changes the task representation: `state` {status, priority, position}, `assignee` {userId}, `dates` {createdAt, updatedAt, dueAt, completedAt, cancelledAt}. v1 is deprecated.",
    },
  });
  return { ...http, ctx };
}

/** The `tasks-activity` consumer: task events become activity rows, once each (inbox). */
export function startActivityConsumer(options: InboxConsumerDeps): Promise<Subscription> {
  return subscribeWithInbox<EventMessage>({
    ...options,
    subscription: "tasks-activity",
    effect: (tx, message) => projectActivity(tx, message.body),
  });
}

/** The `tasks-user-events` consumer: the users service's projects become the `project_owners` read model, once each (inbox). */
export function startUserEventsConsumer(options: InboxConsumerDeps): Promise<Subscription> {
  return subscribeWithInbox<EventMessage>({
    ...options,
    subscription: "tasks-user-events",
    effect: (tx, message) => onUserEvent(tx, message.body),
  });
}

/** Runs the service on an opened runtime; resolves once it listens. */
export async function startTasksService(runtime: ServiceRuntime, port = runtime.env.PORT ?? runtime.service.port) {
  const { app } = createTasksApp({
    db: runtime.db,
    cache: runtime.cache,
    log: runtime.log,
    identity: runtime.identity,
    readiness: runtime.readiness,
    notifyRelay: () => runtime.relay.notify(),
    cacheTimeoutMs: runtime.env.CACHE_TIMEOUT_MS,
  });
  const consumerDeps: InboxConsumerDeps = {
    db: runtime.db,
    broker: runtime.broker,
    resolveTopic: runtime.topicName,
    resolveSubscription: runtime.subscriptionName,
  };
  const consumers = [await startActivityConsumer(consumerDeps), await startUserEventsConsumer(consumerDeps)];
  const server = await listen(app, port, bindHost(runtime.env));
  return {
    port: server.port,
    async close() {
      await server.close();
      await Promise.all(consumers.map((c) => c.close()));
    },
  };
}
