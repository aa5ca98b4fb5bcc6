import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import { runCommandOnce } from "../commands.js";
import { ConcurrencyError, ConflictError } from "../errors.js";
import { appendToStream, readAll, readStream } from "../event-log.js";
import { handleOnce } from "../messaging/inbox.js";
import { enqueueOutbox } from "../messaging/outbox.js";
import type { Database } from "./database.js";
import { migrate } from "./migrate.js";
import { openTestDatabase, postgresGate, type TestDatabaseKind } from "./testing.js";

const pgSkip = await postgresGate();
const variants: { kind: TestDatabaseKind; skip: string | undefined }[] = [
  { kind: "pglite", skip: undefined },
  { kind: "postgres", skip: pgSkip },
];

for (const { kind, skip } of variants) {
  describe.skipIf(skip !== undefined)(gatedTitle(`kernel storage on ${kind}`, skip), () => {
    let db: Database;
    beforeAll(async () => {
      db = await openTestDatabase(kind, []);
    });
    afterAll(async () => {
      await db?.close();
    });

    it("re-running migrations applies nothing", async () => {
      expect(await migrate(db, [])).toEqual([]);
    });

    it("appends events with increasing versions and reads the stream back in order", async () => {
      const stored = await db.transaction((tx) =>
        appendToStream(tx, {
          streamId: "thing:1",
          expectedVersion: 0,
          actor: "u1",
          events: [
            { type: "ThingCreated", data: { name: "a" } },
            { type: "ThingRenamed", data: { name: "b" } },
          ],
        }),
      );
      expect(stored.map((e) => e.version)).toEqual([1, 2]);
      const read = await readStream(db, "thing:1");
      expect(read.map((e) => [e.type, e.version, e.data, e.actor])).toEqual([
        ["ThingCreated", 1, { name: "a" }, "u1"],
        ["ThingRenamed", 2, { name: "b" }, "u1"],
      ]);
      const all = await readAll(db);
      expect(all.map((e) => e.position)).toEqual([...all.map((e) => e.position)].sort((a, b) => a - b));
    });

    it("a stale expected version is a ConcurrencyError and writes nothing", async () => {
      const append = () =>
        db.transaction(async (tx) => {
          await enqueueOutbox(tx, { topic: "t", body: { side: "effect" } });
          return appendToStream(tx, {
            streamId: "thing:2",
            expectedVersion: 0,
            actor: "u1",
            events: [{ type: "ThingCreated", data: {} }],
          });
        });
      await append();
      const before = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox");
      await expect(append()).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await readStream(db, "thing:2")).toHaveLength(1);
      expect(await db.query("SELECT count(*)::int AS n FROM outbox")).toEqual(before);
    });

    it("concurrent writers with the same expected version: exactly one wins", async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          db.transaction((tx) =>
            appendToStream(tx, {
              streamId: "thing:3",
              expectedVersion: 0,
              actor: `u${i}`,
              events: [{ type: "ThingCreated", data: { i } }],
            }),
          ),
        ),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results.filter((r) => r.status === "rejected")) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
      }
    });

    it("events with a topic land in the outbox in the same transaction, rolled back together", async () => {
      await expect(
        db.transaction(async (tx) => {
          await appendToStream(tx, {
            streamId: "thing:4",
            expectedVersion: 0,
            actor: "u1",
            topic: "task-events",
            events: [{ type: "ThingCreated", data: {} }],
          });
          throw new Error("the change fails after the append");
        }),
      ).rejects.toThrow("the change fails");
      expect(await readStream(db, "thing:4")).toEqual([]);
      expect(await db.query("SELECT * FROM outbox WHERE key = 'thing:4'")).toEqual([]);

      const [event] = await db.transaction((tx) =>
        appendToStream(tx, {
          streamId: "thing:4",
          expectedVersion: 0,
          actor: "u1",
          topic: "task-events",
          events: [{ type: "ThingCreated", data: { x: 1 } }],
        }),
      );
      const rows = await db.query<{ message_id: string; body: { type: string; data: unknown } }>(
        "SELECT message_id, body FROM outbox WHERE key = 'thing:4'",
      );
      expect(rows).toEqual([{ message_id: event!.eventId, body: expect.objectContaining({ type: "ThingCreated" }) }]);
    });

    it("the inbox applies a message's effect once, even when delivered twice at once", async () => {
      await db.query("CREATE TABLE IF NOT EXISTS effects (n INTEGER)");
      const message = {
        id: "m-1",
        topic: "t",
        headers: {},
        body: {},
        attempt: 1,
        publishedAt: new Date(),
      };
      const effect = async (tx: Pick<Database, "query">) => {
        await tx.query("INSERT INTO effects (n) VALUES (1)");
      };
      const outcomes = await Promise.allSettled([
        handleOnce(db, "sub-a", message, effect),
        handleOnce(db, "sub-a", message, effect),
      ]);
      expect(await handleOnce(db, "sub-a", message, effect)).toBe(false);
      expect(outcomes.filter((o) => o.status === "fulfilled" && o.value === true)).toHaveLength(1);
      expect(await db.query("SELECT count(*)::int AS n FROM effects")).toEqual([{ n: 1 }]);
      // Another subscription is another consumer: it gets its own effect.
      expect(await handleOnce(db, "sub-b", message, effect)).toBe(true);
    });

    it("an effect that fails leaves no inbox record, so the redelivery runs it", async () => {
      const message = { id: "m-2", topic: "t", headers: {}, body: {}, attempt: 1, publishedAt: new Date() };
      await expect(
        handleOnce(db, "sub-a", message, async () => {
          throw new Error("effect failed");
        }),
      ).rejects.toThrow("effect failed");
      expect(await handleOnce(db, "sub-a", message, async () => {})).toBe(true);
    });

    it("a command id runs once and returns the recorded result; reused for another command it conflicts", async () => {
      let runs = 0;
      const run = () =>
        db.transaction((tx) =>
          runCommandOnce(tx, { id: "c-1", name: "MoveTask", actor: "u1" }, async () => {
            runs += 1;
            return { moved: runs };
          }),
        );
      expect(await run()).toEqual({ moved: 1 });
      expect(await run()).toEqual({ moved: 1 });
      expect(runs).toBe(1);
      await expect(
        db.transaction((tx) => runCommandOnce(tx, { id: "c-1", name: "CancelTask", actor: "u1" }, async () => 1)),
      ).rejects.toBeInstanceOf(ConflictError);
    });
  });
}
