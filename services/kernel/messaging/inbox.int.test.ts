import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../../adapters/core/message.js";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import type { Database, Queryable } from "../db/database.js";
import { openTestDatabase, postgresGate, type TestDatabaseKind } from "../db/testing.js";
import { createInboxBatcher, handleOnce } from "./inbox.js";

const pgSkip = await postgresGate();
const variants: { kind: TestDatabaseKind; skip: string | undefined }[] = [
  { kind: "pglite", skip: undefined },
  { kind: "postgres", skip: pgSkip },
];

const message = (id: string, body: { n: number }): Message<{ n: number }> => ({
  id,
  topic: "t",
  headers: {},
  body,
  attempt: 1,
  publishedAt: new Date(),
});

for (const { kind, skip } of variants) {
  describe.skipIf(skip !== undefined)(gatedTitle(`inbox batches on ${kind}`, skip), () => {
    let db: Database;
    let transactions = 0;
    beforeAll(async () => {
      const opened = await openTestDatabase(kind, []);
      await opened.exec("CREATE TABLE applied (seq SERIAL PRIMARY KEY, message_id TEXT NOT NULL, n INTEGER NOT NULL)");
      // Counts the transactions the batcher opens.
      db = {
        ...opened,
        transaction: (work) => {
          transactions += 1;
          return opened.transaction(work);
        },
      };
    });
    afterAll(async () => {
      await db?.close();
    });

    const record = async (tx: Queryable, m: Message<{ n: number }>) => {
      if (m.body.n < 0) throw new Error(`message ${m.id} is poison`);
      await tx.query("INSERT INTO applied (message_id, n) VALUES ($1, $2)", [m.id, m.body.n]);
    };
    const applied = (prefix: string) =>
      db.query<{ message_id: string; n: number }>(
        "SELECT message_id, n FROM applied WHERE message_id LIKE $1 ORDER BY seq",
        [`${prefix}%`],
      );

    it("messages that arrive together share a transaction, each applied once, in arrival order", async () => {
      await handleOnce(db, "sub", message("a-done", { n: 0 }), record);
      transactions = 0;
      const once = createInboxBatcher(db, "sub", record);
      const ids = Array.from({ length: 20 }, (_, i) => `a-${String(i).padStart(2, "0")}`);
      const results = await Promise.all([
        ...ids.map((id, i) => once(message(id, { n: i }))),
        once(message("a-05", { n: 5 })), // delivered twice while the first copy waits
        once(message("a-done", { n: 0 })), // processed before
      ]);
      expect(results).toEqual([...ids.map(() => true), false, false]);
      expect(await applied("a-")).toEqual([
        { message_id: "a-done", n: 0 },
        ...ids.map((id, i) => ({ message_id: id, n: i })),
      ]);
      // The first message runs alone at once; everything that arrived meanwhile shares the next one.
      expect(transactions).toBe(2);
    });

    it("a failing effect fails only its own message; its batch-mates are applied", async () => {
      const once = createInboxBatcher(db, "sub", record);
      const outcomes = await Promise.allSettled([
        once(message("b-0", { n: 0 })),
        once(message("b-1", { n: 1 })),
        once(message("b-poison", { n: -1 })),
        once(message("b-2", { n: 2 })),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
      expect(String((outcomes[2] as PromiseRejectedResult).reason)).toContain("b-poison is poison");
      expect((await applied("b-")).map((row) => row.message_id)).toEqual(["b-0", "b-1", "b-2"]);
      // The poison message left no inbox record, so its redelivery runs the effect again.
      expect(await handleOnce(db, "sub", message("b-poison", { n: 3 }), record)).toBe(true);
    });
  });
}
