import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message, OutgoingMessage } from "../../../adapters/core/message.js";
import type { IMessageBroker } from "../../../adapters/core/message-broker.js";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import type { Database } from "../db/database.js";
import { openTestDatabase, postgresGate } from "../db/testing.js";
import { appendToStream } from "../event-log.js";
import { createUpstreamPolicy } from "../resilience.js";
import { handleOnce } from "./inbox.js";
import { createOutboxRelay } from "./outbox-relay.js";

/** A broker double that records publishes and can be switched off like a broker outage. */
function recordingBroker() {
  const published: Message[] = [];
  const state = { down: false, attempts: 0 };
  const broker = {
    name: "recording",
    async publish(topic: string, message: OutgoingMessage) {
      state.attempts += 1;
      if (state.down) throw new Error("connect ECONNREFUSED");
      published.push({
        id: message.id!,
        topic,
        key: message.key,
        headers: message.headers ?? {},
        body: message.body,
        attempt: 1,
        publishedAt: new Date(),
      } as Message);
      return { id: message.id! };
    },
  } as unknown as IMessageBroker;
  return { broker, published, state };
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("outbox relay", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("pglite", []);
  });
  afterAll(async () => {
    await db?.close();
  });

  const commit = (stream: string, version: number, n: number) =>
    db.transaction((tx) =>
      appendToStream(tx, {
        streamId: stream,
        expectedVersion: version,
        actor: "u1",
        topic: "task-events",
        events: [{ type: "Happened", data: { n } }],
      }),
    );

  it("a broker outage while commands commit delays the events; after recovery all arrive, in order", async () => {
    const { broker, published, state } = recordingBroker();
    state.down = true;
    const relay = createOutboxRelay({
      db,
      broker,
      pollMs: 20,
      initialRetryMs: 20,
      maxRetryMs: 100,
      resolveTopic: (t) => `physical-${t}`,
      // The breaker opens during the outage; a short half-open time keeps the test quick.
      policy: createUpstreamPolicy("test-broker", { halfOpenAfterMs: 50 }),
    });
    relay.start();
    for (let i = 0; i < 10; i++) {
      await commit("a:1", i, i);
      await commit("b:1", i, i);
    }
    await waitFor(() => state.attempts >= 3);
    expect(published).toEqual([]);
    expect(await relay.pending()).toBe(20);

    state.down = false;
    await waitFor(async () => (await relay.pending()) === 0);
    await relay.stop();
    expect(published).toHaveLength(20);
    expect(new Set(published.map((m) => m.topic))).toEqual(new Set(["physical-task-events"]));
    for (const key of ["a:1", "b:1"]) {
      const ns = published.filter((m) => m.key === key).map((m) => (m.body as { data: { n: number } }).data.n);
      expect(ns).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it("a crash between publish and marking sent publishes again; the consumer's inbox absorbs it", async () => {
    const { broker, published } = recordingBroker();
    await commit("c:1", 0, 0);
    const relay = createOutboxRelay({ db, broker });
    await relay.flush();
    // The process died before the UPDATE: the row still looks unsent.
    await db.query("UPDATE outbox SET sent_at = NULL WHERE key = 'c:1'");
    await relay.flush();
    await relay.stop();
    const copies = published.filter((m) => m.key === "c:1");
    expect(copies).toHaveLength(2);
    expect(copies[0]!.id).toBe(copies[1]!.id);

    let effects = 0;
    for (const message of copies) {
      await handleOnce(db, "tasks-activity", message, async () => {
        effects += 1;
      });
    }
    expect(effects).toBe(1);
  });

  it("flush rejects while the broker is down and leaves the message pending", async () => {
    const { broker, state } = recordingBroker();
    state.down = true;
    await commit("d:1", 0, 0);
    const relay = createOutboxRelay({ db, broker });
    await expect(relay.flush()).rejects.toThrow("ECONNREFUSED");
    expect(await relay.pending()).toBeGreaterThan(0);
    const rows = await db.query<{ attempts: number; last_error: string }>(
      "SELECT attempts, last_error FROM outbox WHERE key = 'd:1'",
    );
    expect(rows[0]!.attempts).toBe(1);
    expect(rows[0]!.last_error).toContain("ECONNREFUSED");
    state.down = false;
    await relay.flush();
    expect(await relay.pending()).toBe(0);
    await relay.stop();
  });
});

const pgSkip = await postgresGate();

describe.skipIf(pgSkip !== undefined)(gatedTitle("outbox relays sharing a PostgreSQL outbox", pgSkip), () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("postgres", []);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("two instances' relays publish each of their rows once, in order per key, and leave other services' rows alone", async () => {
    const keys = ["k:1", "k:2", "k:3"];
    const append = (streamId: string, version: number, topic: string) =>
      db.transaction((tx) =>
        appendToStream(tx, {
          streamId,
          expectedVersion: version,
          actor: "u1",
          topic,
          events: [{ type: "Happened", data: { n: version } }],
        }),
      );
    for (let version = 0; version < 40; version++) {
      for (const key of keys) await append(key, version, "task-events");
      if (version < 10) await append("p:1", version, "user-events");
    }
    /** A broker slow enough that the two task relays' passes overlap. */
    const slowBroker = () => {
      const recording = recordingBroker();
      const publish = recording.broker.publish.bind(recording.broker);
      recording.broker.publish = async (topic, message) => {
        await new Promise((r) => setTimeout(r, 1));
        return publish(topic, message);
      };
      return recording;
    };
    const tasks = slowBroker();
    const users = slowBroker();
    const taskRelays = [1, 2].map(() =>
      createOutboxRelay({ db, broker: tasks.broker, topics: ["task-events"], pollMs: 5 }),
    );
    for (const relay of taskRelays) relay.start();
    await waitFor(async () => (await taskRelays[0]!.pending()) === 0, 20_000);
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all(taskRelays.map((relay) => relay.stop()));

    const ids = tasks.published.map((m) => m.id);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(new Set(tasks.published.map((m) => m.topic))).toEqual(new Set(["task-events"]));
    for (const key of keys) {
      const order = tasks.published.filter((m) => m.key === key).map((m) => (m.body as { data: { n: number } }).data.n);
      expect(order).toEqual([...Array(40).keys()]);
    }

    const userRelay = createOutboxRelay({ db, broker: users.broker, topics: ["user-events"] });
    expect(await userRelay.pending()).toBe(10);
    await userRelay.flush();
    expect(users.published.map((m) => (m.body as { data: { n: number } }).data.n)).toEqual([...Array(10).keys()]);
  }, 30_000);
});
