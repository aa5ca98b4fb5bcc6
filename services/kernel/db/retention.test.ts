import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "./database.js";
import { pruneBookkeeping } from "./retention.js";
import { openTestDatabase } from "./testing.js";

describe("bookkeeping retention", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("pglite", []);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("removes old idempotency keys, inbox ids and sent outbox rows, and keeps recent and unsent ones", async () => {
    await db.exec(`
      INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at) VALUES
        ('s', 'old', 'h', 'done', now() - interval '2 days'), ('s', 'new', 'h', 'done', now());
      INSERT INTO inbox (subscription, message_id, processed_at) VALUES
        ('sub', 'old', now() - interval '8 days'), ('sub', 'new', now());
      INSERT INTO outbox (message_id, topic, headers, body, sent_at, created_at) VALUES
        ('00000000-0000-4000-8000-000000000001', 't', '{}', '{}', now() - interval '8 days', now() - interval '8 days'),
        ('00000000-0000-4000-8000-000000000002', 't', '{}', '{}', NULL, now() - interval '8 days');
    `);
    expect(await pruneBookkeeping(db)).toBe(3);
    expect(await db.query("SELECT key FROM idempotency_keys")).toEqual([{ key: "new" }]);
    expect(await db.query("SELECT message_id FROM inbox")).toEqual([{ message_id: "new" }]);
    expect(await db.query("SELECT sent_at FROM outbox")).toEqual([{ sent_at: null }]);
  });
});
