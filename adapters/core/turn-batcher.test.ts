import { describe, expect, it } from "vitest";
import { TurnBatcher } from "./turn-batcher.js";

describe("TurnBatcher", () => {
  it("sends what was added in one turn as one call, split at the per-call maximum", async () => {
    const calls: string[][] = [];
    const batcher = new TurnBatcher<string>(3, async (entries) => {
      calls.push([...entries]);
      return undefined;
    });
    await Promise.all(["a", "b", "c", "d", "e"].map((entry) => batcher.add(entry)));
    expect(calls).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
  });

  it("settles each entry on its own: a reported entry error rejects only that entry", async () => {
    const batcher = new TurnBatcher<string>(10, async (entries) =>
      entries.map((entry) => (entry === "bad" ? new Error("entry refused") : undefined)),
    );
    const outcomes = await Promise.allSettled([batcher.add("ok"), batcher.add("bad"), batcher.add("fine")]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe("entry refused");
  });

  it("rejects every entry of a call that failed as a whole", async () => {
    const batcher = new TurnBatcher<string>(10, async () => {
      throw new Error("connection reset");
    });
    const outcomes = await Promise.allSettled([batcher.add("a"), batcher.add("b")]);
    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason?.message)).toEqual([
      "connection reset",
      "connection reset",
    ]);
  });

  it("drain waits for calls still in flight", async () => {
    let answered = false;
    const batcher = new TurnBatcher<string>(10, async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      answered = true;
      return undefined;
    });
    void batcher.add("a");
    await batcher.drain();
    expect(answered).toBe(true);
  });
});
