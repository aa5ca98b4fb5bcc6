import type { Message } from "../../adapters/core/message.js";
import type { Subscription } from "../../adapters/core/message-broker.js";
import type { MigrationSource } from "../kernel/db/migrate.js";
import type { EventMessage } from "../kernel/event-log.js";
import { createHttpApp, type HttpApp } from "../kernel/http/app.js";
import { declaredSubscribeOptions, inboxHandler } from "../kernel/messaging/inbox.js";
import type { ServiceRuntime } from "../kernel/runtime.js";
import { subscriptionByName } from "../platform.js";
import { applyTaskEvent, type ReminderScheduler, startReminderScheduler } from "./domain/notifier.js";
import { createNotificationHub, type NotificationHub } from "./domain/sse-hub.js";
import { notificationRoutes } from "./http/routes.js";
import { mountNotificationStream } from "./http/stream.js";

/** The notifications service: task events in, notifications out, as a list and as a live stream. */

export const NOTIFICATIONS_MIGRATIONS: MigrationSource = {
  scope: "notifications",
  dir: new URL("./data-access/migrations/", import.meta.url),
};

/** What notifications needs from its runtime; tests can hand it these without opening one. */
export type NotificationsDeps = Pick<
  ServiceRuntime,
  "db" | "broker" | "log" | "identity" | "readiness" | "topicName" | "subscriptionName"
>;

export interface NotificationsServiceOptions {
  /** How often due dates are checked. @default 60_000 */
  readonly reminderIntervalMs?: number;
  /** Keep-alive comment (and catch-up read) interval of live streams. @default 15_000 */
  readonly heartbeatMs?: number;
}

export interface NotificationsService extends HttpApp {
  readonly hub: NotificationHub;
  readonly scheduler: ReminderScheduler;
  stop(): Promise<void>;
}

export async function createNotificationsService(
  runtime: NotificationsDeps,
  options: NotificationsServiceOptions = {},
): Promise<NotificationsService> {
  const { db } = runtime;
  const hub = createNotificationHub();
  const http = createHttpApp({
    service: "notifications",
    log: runtime.log,
    identity: runtime.identity,
    routes: notificationRoutes(db),
    db,
    readiness: runtime.readiness,
    configure: (app) =>
      mountNotificationStream(app, {
        db,
        hub,
        identity: runtime.identity,
        ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
      }),
  });

  // The inbox handler is wrapped rather than built by subscribeWithInbox, because the streams
  // may be woken only once the notification's transaction has committed.
  const declared = subscriptionByName("notifications-task-events");
  const woken = new Map<string, string[]>();
  const handler = inboxHandler<EventMessage>(db, declared.name, async (tx, message) => {
    woken.set(message.id, await applyTaskEvent(tx, message));
  });
  const subscriptions: Subscription[] = [
    await runtime.broker.subscribe<EventMessage>(
      runtime.topicName(declared.topic),
      runtime.subscriptionName(declared.name),
      async (message: Message<EventMessage>, context) => {
        try {
          await handler(message, context);
          for (const userId of woken.get(message.id) ?? []) hub.notify(userId);
        } finally {
          woken.delete(message.id);
        }
      },
      declaredSubscribeOptions(declared, runtime.broker.capabilities),
    ),
  ];
  const scheduler = startReminderScheduler(db, hub, {
    ...(options.reminderIntervalMs ? { intervalMs: options.reminderIntervalMs } : {}),
    onError: (error) => runtime.log.warn({ err: error }, "reminder pass failed; will retry"),
  });
  return {
    ...http,
    hub,
    scheduler,
    async stop() {
      scheduler.stop();
      await Promise.all(subscriptions.map((s) => s.close()));
    },
  };
}
