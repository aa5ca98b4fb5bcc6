import type { Subscription } from "../../adapters/core/message-broker.js";
import type { IdentitySource } from "../kernel/auth/caller.js";
import type { Database } from "../kernel/db/database.js";
import type { MigrationSource } from "../kernel/db/migrate.js";
import type { EventMessage } from "../kernel/event-log.js";
import { createHttpApp, type HttpApp } from "../kernel/http/app.js";
import type { ReadinessCheck } from "../kernel/http/health.js";
import { type InboxConsumerDeps, subscribeWithInbox } from "../kernel/messaging/inbox.js";
import type { Logger } from "../kernel/observability/logger.js";
import { bindHost, listen, type ServiceRuntime } from "../kernel/runtime.js";
import type { UsersContext } from "./domain/context.js";
import { onIdentityEvent } from "./domain/profiles.js";
import { peopleRoutes } from "./http/people-routes.js";
import { usersRoutes } from "./http/routes.js";

/** The users service: profiles, organizations and projects (port 7002). */

export const USERS_MIGRATIONS: MigrationSource = {
  scope: "users",
  dir: new URL("./data-access/migrations/", import.meta.url),
};

export interface UsersAppDeps {
  readonly db: Database;
  readonly log: Logger;
  readonly identity: IdentitySource;
  readonly readiness?: readonly ReadinessCheck[];
  readonly notifyRelay?: () => void;
  readonly now?: () => Date;
}

export function createUsersApp(deps: UsersAppDeps): HttpApp & { ctx: UsersContext } {
  const ctx: UsersContext = {
    db: deps.db,
    ...(deps.now ? { now: deps.now } : {}),
    onCommitted: () => deps.notifyRelay?.(),
  };
  const http = createHttpApp({
    service: "users",
    log: deps.log,
    identity: deps.identity,
    routes: [...usersRoutes(ctx), ...peopleRoutes(ctx)],
    db: deps.db,
    readiness: deps.readiness ?? [{ name: "database", ping: () => deps.db.ping() }],
    openapi: { title: "taskflow users", version: "1.0.0", description: "Profiles, organizations and projects." },
  });
  return { ...http, ctx };
}

/** The `users-identity-events` consumer: a registration becomes a profile, once (inbox). */
export function startIdentityConsumer(options: InboxConsumerDeps): Promise<Subscription> {
  return subscribeWithInbox<EventMessage>({
    ...options,
    subscription: "users-identity-events",
    effect: (tx, message) => onIdentityEvent(tx, message.body),
  });
}

export async function startUsersService(runtime: ServiceRuntime, port = runtime.env.PORT ?? runtime.service.port) {
  const { app } = createUsersApp({
    db: runtime.db,
    log: runtime.log,
    identity: runtime.identity,
    readiness: runtime.readiness,
    notifyRelay: () => runtime.relay.notify(),
  });
  const consumer = await startIdentityConsumer({
    db: runtime.db,
    broker: runtime.broker,
    resolveTopic: runtime.topicName,
    resolveSubscription: runtime.subscriptionName,
  });
  const server = await listen(app, port, bindHost(runtime.env));
  return {
    port: server.port,
    async close() {
      await server.close();
      await consumer.close();
    },
  };
}
