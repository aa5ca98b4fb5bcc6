import { describe, expect, it } from "vitest";
import { BatchOutcomes } from "./batch-outcomes.js";

describe("BatchOutcomes", () => {
  it("reports entries in index order whatever order they settled in", () => {
    const outcomes = new BatchOutcomes();
    outcomes.succeeded(2, "c");
    outcomes.failedWith(1, "b", new Error("too large"));
    outcomes.succeeded(0, "a");
    const result = outcomes.result();
    expect(result.published).toEqual([
      { index: 0, id: "a" },
      { index: 2, id: "c" },
    ]);
    expect(result.failed.map(({ index, id, error }) => [index, id, error.message])).toEqual([[1, "b", "too large"]]);
  });

  it("leaves the id out of a failure without one and turns a thrown non-Error into an Error", () => {
    const outcomes = new BatchOutcomes();
    outcomes.failedWith(0, undefined, "refused");
    const [failure] = outcomes.result().failed;
    expect(failure).not.toHaveProperty("id");
    expect(failure?.error).toBeInstanceOf(Error);
    expect(failure?.error.message).toBe("refused");
  });

  it("records settled publishes at their batch index, from an offset", async () => {
    const outcomes = new BatchOutcomes();
    const settled = await Promise.allSettled([Promise.resolve({ id: "x" }), Promise.reject(new Error("no topic"))]);
    outcomes.settled(settled, [{ id: "x" }, { id: "y" }], 10);
    const result = outcomes.result();
    expect(result.published).toEqual([{ index: 10, id: "x" }]);
    expect(result.failed.map(({ index, id }) => [index, id])).toEqual([[11, "y"]]);
  });
});
