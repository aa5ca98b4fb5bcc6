import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, PG_UNIQUE_VIOLATION, sqlState, violatedConstraint } from "./database.js";
import { createPgliteDatabase } from "./pglite-database.js";

/**
 * What the embedded database's own driver (one engine call per statement, statements
 * prepared once per text) must keep: the values and errors `pg` gives, a statement that
 * failed once working the next time, DDL seen by later reads, and I/O let in between a long
 * queue of jobs.
 */
describe("PGlite database", () => {
  let db: Database;
  beforeAll(async () => {
    db = await createPgliteDatabase();
    await db.exec(
      "CREATE TABLE things (id INT PRIMARY KEY, name TEXT NOT NULL, data JSONB, at TIMESTAMPTZ, big BIGINT)",
    );
  });
  afterAll(async () => {
    await db.close();
  });

  it("round-trips parameters as pg encodes them: JSON, dates, bigints, arrays, null", async () => {
    const at = new Date("2026-01-02T03:04:05.678Z");
    await db.query("INSERT INTO things VALUES ($1, $2, $3, $4, $5)", [1, "one", JSON.stringify({ a: [1, 2] }), at, 42]);
    await db.query("INSERT INTO things VALUES ($1, $2, $3, $4, $5)", [2, "two", null, null, null]);
    const rows = await db.query("SELECT * FROM things WHERE id = ANY($1::int[]) ORDER BY id", [[1, 2]]);
    expect(rows).toEqual([
      { id: 1, name: "one", data: { a: [1, 2] }, at, big: 42 },
      { id: 2, name: "two", data: null, at: null, big: null },
    ]);
  });

  it("reports a unique violation with its SQLSTATE and constraint, and the statement works afterwards", async () => {
    const insert = "INSERT INTO things (id, name) VALUES ($1, $2)";
    const error = await db.query(insert, [1, "again"]).catch((e: unknown) => e);
    expect(sqlState(error)).toBe(PG_UNIQUE_VIOLATION);
    expect(violatedConstraint(error)).toBe("things_pkey");
    await db.query(insert, [3, "three"]);
    expect(await db.query("SELECT name FROM things WHERE id = $1", [3])).toEqual([{ name: "three" }]);
  });

  it("a statement that does not parse fails with the engine's message every time", async () => {
    for (let i = 0; i < 2; i++) {
      await expect(db.query("SELEC name FROM things")).rejects.toThrow(/syntax error at or near "SELEC"/);
    }
  });

  it("rolls back every statement of a failed transaction, the first one included", async () => {
    const failed = db.transaction(async (tx) => {
      await tx.query("INSERT INTO things (id, name) VALUES ($1, $2)", [10, "ten"]);
      await tx.query("INSERT INTO things (id, name) VALUES ($1, $2)", [1, "duplicate"]);
    });
    await expect(failed).rejects.toMatchObject({ code: PG_UNIQUE_VIOLATION });
    expect(await db.query("SELECT id FROM things WHERE id = 10")).toEqual([]);
    const committed = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO things (id, name) VALUES ($1, $2)", [11, "eleven"]);
      return tx.query<{ n: number }>("SELECT count(*)::int AS n FROM things WHERE id = 11");
    });
    expect(committed).toEqual([{ n: 1 }]);
  });

  it("a read prepared before a schema change sees the new column", async () => {
    const read = "SELECT * FROM things WHERE id = $1";
    expect(Object.keys((await db.query(read, [1]))[0]!)).not.toContain("extra");
    await db.exec("ALTER TABLE things ADD COLUMN extra TEXT");
    expect((await db.query(read, [1]))[0]).toMatchObject({ id: 1, extra: null });
  });

  it("runs more distinct statements than it keeps prepared, old and new alike", async () => {
    for (let k = 0; k < 520; k++) {
      expect(await db.query(`SELECT $1::int + ${k} AS n`, [1])).toEqual([{ n: 1 + k }]);
    }
    expect(await db.query("SELECT $1::int + 0 AS n", [2])).toEqual([{ n: 2 }]);
    expect(await db.query("SELECT $1::int + 519 AS n", [2])).toEqual([{ n: 521 }]);
  });

  it("lets a timer run while a long queue of statements drains", async () => {
    let timerRanAfter: number | undefined;
    let done = 0;
    const jobs = Array.from({ length: 300 }, () =>
      db.query("SELECT count(*) FROM things").then(() => {
        done += 1;
      }),
    );
    setTimeout(() => {
      timerRanAfter = done;
    }, 0);
    await Promise.all(jobs);
    expect(timerRanAfter).toBeDefined();
    expect(timerRanAfter!).toBeLessThan(300);
  });
});
