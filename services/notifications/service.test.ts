import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBroker } from "../../adapters/memory/message-broker.js";
import { devHeaderIdentitySource } from "../kernel/auth/caller.js";
import type { Database } from "../kernel/db/database.js";
import { openTestDatabase } from "../kernel/db/testing.js";
import type { EventMessage } from "../kernel/event-log.js";
import { createLogger } from "../kernel/observability/logger.js";
import { listen } from "../kernel/runtime.js";
import type { TaskSnapshot } from "../tasks/events.js";
import { createNotificationsService, NOTIFICATIONS_MIGRATIONS, type NotificationsService } from "./service.js";

/** Task events in, notifications out: over the broker, through the inbox, to the list and the live stream. */

// Every acknowledged delivery comes back once more: the inbox must make each one count once.
const broker = new MemoryBroker({ duplicateRate: 1 });
let db: Database;
let service: NotificationsService;
let base: string;
let server: { close(): Promise<void> };

beforeAll(async () => {
  db = await openTestDatabase("pglite", [NOTIFICATIONS_MIGRATIONS]);
  service = await createNotificationsService(
    {
      db,
      broker,
      log: createLogger({ service: "notifications", level: "silent" }),
      identity: devHeaderIdentitySource(),
      readiness: [],
      topicName: (t) => t,
      subscriptionName: (s) => s,
    },
    { heartbeatMs: 200, reminderIntervalMs: 60_000 },
  );
  const listening = await listen(service.app, 0);
  server = listening;
  base = `http://127.0.0.1:${listening.port}`;
});

afterAll(async () => {
  await service?.stop();
  await server?.close();
  await broker.close();
  await db?.close();
});

const ann = `ann-${randomUUID()}`;
const bob = `bob-${randomUUID()}`;
const as = (user: string) => ({ "x-dev-user": user });

function task(overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    boardId: randomUUID(),
    cardId: randomUUID(),
    title: "Write the docs",
    description: null,
    priority: "medium",
    status: "todo",
    assigneeId: null,
    dueDate: null,
    tags: [],
    position: 0,
    completedAt: null,
    cancelledAt: null,
    createdBy: ann,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

let version = 0;
async function publish(type: string, data: object, actor: string, streamId: string) {
  const body: EventMessage = {
    eventId: randomUUID(),
    streamId,
    version: ++version,
    type,
    data: data as Record<string, unknown>,
    actor,
    occurredAt: new Date().toISOString(),
  };
  await broker.publish("task-events", { id: body.eventId, key: streamId, body });
}

/** Reads Server-Sent Events frames until `count` notifications arrived or the time is up. */
async function readStream(user: string, count: number, headers: Record<string, string> = {}, timeoutMs = 3_000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: { id: string; data: { kind: string; taskId: string } }[] = [];
  const res = await fetch(`${base}/api/v1/notifications/stream`, {
    headers: { ...as(user), ...headers },
    signal: controller.signal,
  });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const opened = {
    res,
    events,
    done: (async () => {
      let buffer = "";
      try {
        for await (const chunk of res.body!) {
          buffer += Buffer.from(chunk).toString();
          let end = buffer.indexOf("\n\n");
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (.*)$/m.exec(frame)?.[1];
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (id && data) events.push({ id, data: JSON.parse(data) });
            end = buffer.indexOf("\n\n");
          }
          if (events.length >= count) break;
        }
      } catch {
        // Aborted at the deadline: the caller checks what arrived.
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
      return events;
    })(),
  };
  return opened;
}

describe("notifications", () => {
  it("streams 'assigned to you' live, once, although the broker delivers every event twice", async () => {
    const stream = await readStream(bob, 1);
    const t = task({ assigneeId: bob });
    await publish("task-created", { task: t }, ann, `task:${t.id}`);
    const events = await stream.done;
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ kind: "assigned", taskId: t.id })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const list = (await (await fetch(`${base}/api/v1/notifications`, { headers: as(bob) })).json()) as {
      items: { taskId: string }[];
    };
    expect(list.items.filter((n) => n.taskId === t.id)).toHaveLength(1);
  });

  it("tells creator and assignee of a status change and a comment, never the actor, and resumes from Last-Event-ID", async () => {
    const t = task({ assigneeId: bob });
    await publish("task-created", { task: t }, ann, `task:${t.id}`);
    await publish(
      "task-moved",
      { task: { ...t, status: "doing" }, fromCardId: t.cardId, fromPosition: 0, fromStatus: "todo" },
      bob,
      `task:${t.id}`,
    );
    const comment = {
      id: randomUUID(),
      taskId: t.id,
      authorId: bob,
      body: "Started on it",
      createdAt: t.createdAt,
      updatedAt: t.createdAt,
    };
    await publish("comment-added", { comment, boardId: t.boardId }, bob, `comment:${comment.id}`);
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${base}/api/v1/notifications`, { headers: as(ann) })).json()) as { total: number })
            .total,
        { timeout: 3_000 },
      )
      .toBeGreaterThanOrEqual(2);
    const list = (await (await fetch(`${base}/api/v1/notifications`, { headers: as(ann) })).json()) as {
      items: { id: string; kind: string; taskId: string }[];
      unread: number;
    };
    const mine = list.items.filter((n) => n.taskId === t.id).map((n) => n.kind);
    expect(mine.sort()).toEqual(["commented", "status-changed"]);

    // Resuming from before the first one replays both, oldest first.
    const oldest = list.items.filter((n) => n.taskId === t.id).at(-1)!;
    const resumed = await readStream(ann, 1, { "last-event-id": String(Number(oldest.id) - 1) });
    const replay = await resumed.done;
    expect(replay[0]!.id).toBe(oldest.id);
  });

  it("marks one and all read, and another user's notification is not found", async () => {
    const t = task({ assigneeId: bob });
    await publish("task-created", { task: t }, ann, `task:${t.id}`);
    let id = "";
    await expect
      .poll(
        async () => {
          const list = (await (
            await fetch(`${base}/api/v1/notifications?unread=true`, { headers: as(bob) })
          ).json()) as { items: { id: string; taskId: string }[] };
          id = list.items.find((n) => n.taskId === t.id)?.id ?? "";
          return id;
        },
        { timeout: 3_000 },
      )
      .not.toBe("");
    expect((await fetch(`${base}/api/v1/notifications/${id}/read`, { method: "POST", headers: as(ann) })).status).toBe(
      404,
    );
    const read = await fetch(`${base}/api/v1/notifications/${id}/read`, { method: "POST", headers: as(bob) });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, read: true });
    const all = await fetch(`${base}/api/v1/notifications/read-all`, { method: "POST", headers: as(bob) });
    expect(all.status).toBe(200);
    const after = (await (await fetch(`${base}/api/v1/notifications`, { headers: as(bob) })).json()) as {
      unread: number;
    };
    expect(after.unread).toBe(0);
  });

  it("reminds once of a task due within 24 hours", async () => {
    const t = task({ assigneeId: bob, dueDate: new Date(Date.now() + 3_600_000).toISOString() });
    await publish("task-created", { task: t }, bob, `task:${t.id}`);
    await expect
      .poll(async () => (await db.query("SELECT 1 FROM task_facts WHERE task_id = $1", [t.id])).length, {
        timeout: 3_000,
      })
      .toBe(1);
    expect(await service.scheduler.runOnce()).toBeGreaterThanOrEqual(2);
    await service.scheduler.runOnce();
    const rows = await db.query<{ user_id: string }>(
      "SELECT user_id FROM notifications WHERE task_id = $1 AND kind = 'due-soon'",
      [t.id],
    );
    expect(rows.map((r) => r.user_id).sort()).toEqual([ann, bob].sort());
  });

  it("refuses the stream without credentials", async () => {
    const res = await fetch(`${base}/api/v1/notifications/stream`);
    expect(res.status).toBe(401);
  });
});
