import type { Message } from "../../../adapters/core/message.js";
import type { Database, Queryable } from "../../kernel/db/database.js";
import type { EventMessage } from "../../kernel/event-log.js";
import {
  deleteBoardFacts,
  deleteFact,
  factsDueBefore,
  findFact,
  insertNotifications,
  saveFact,
} from "../data-access/notification-store.js";
import { applyChange, DUE_SOON_MS, notificationsFor, remindersFor } from "./rules.js";
import type { NotificationHub } from "./sse-hub.js";
import { toTaskChange } from "./task-events.js";

/**
 * Turns task events into notifications (through the inbox, so a redelivered event notifies
 * once) and runs the reminder scheduler. Live streams are woken only after the transaction
 * that stored a notification has committed, so what they read is there.
 */

/** The inbox effect for `notifications-task-events`; returns the users to wake after commit. */
export async function applyTaskEvent(tx: Queryable, message: Message<EventMessage>): Promise<string[]> {
  const change = toTaskChange(message.body);
  if (!change) return [];
  if (change.kind === "board-deleted") {
    await deleteBoardFacts(tx, change.boardId);
    return [];
  }
  const taskId = change.kind === "created" ? change.fact.taskId : change.taskId;
  const before = await findFact(tx, taskId);
  const after = applyChange(before, change);
  if (after) await saveFact(tx, after);
  else if (before) await deleteFact(tx, taskId);
  const stored = await insertNotifications(tx, notificationsFor(before, change));
  return [...new Set(stored.map((n) => n.userId))];
}

export interface ReminderScheduler {
  /** One pass: stores the reminders owed now; returns how many were new. */
  runOnce(): Promise<number>;
  stop(): void;
}

/**
 * Checks due dates every `intervalMs`. Each reminder has a dedupe key, so several instances
 * (or a pass that overlaps a restart) never remind twice.
 */
export function startReminderScheduler(
  db: Database,
  hub: NotificationHub,
  options: { intervalMs?: number; now?: () => Date; onError?: (error: unknown) => void } = {},
): ReminderScheduler {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | undefined;
  const runOnce = () => {
    running ??= (async () => {
      try {
        const at = now();
        const facts = await factsDueBefore(db, new Date(at.getTime() + DUE_SOON_MS));
        const stored = await insertNotifications(
          db,
          facts.flatMap((fact) => remindersFor(fact, at)),
        );
        for (const userId of new Set(stored.map((n) => n.userId))) hub.notify(userId);
        return stored.length;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => {
    runOnce().catch((error) => options.onError?.(error));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return {
    runOnce,
    stop: () => clearInterval(timer),
  };
}
