import { describe, expect, it } from "vitest";
import { OncePerKey } from "./once-per-key.js";

describe("OncePerKey", () => {
  it("runs the work once for concurrent callers of one key, and again for another key", async () => {
    const once = new OncePerKey<string>();
    let runs = 0;
    const start = async () => {
      runs++;
      return "created";
    };
    const results = await Promise.all([once.run("a", start), once.run("a", start), once.run("b", start)]);
    expect(results).toEqual(["created", "created", "created"]);
    expect(runs).toBe(2);
  });

  it("forgets a failure, so the next caller tries again", async () => {
    const once = new OncePerKey<string>();
    await expect(once.run("a", async () => Promise.reject(new Error("not there yet")))).rejects.toThrow(
      "not there yet",
    );
    await expect(once.run("a", async () => "there now")).resolves.toBe("there now");
  });

  it("runs the work again after forget or clear", async () => {
    const once = new OncePerKey<number>();
    let runs = 0;
    const start = async () => ++runs;
    await once.run("a", start);
    once.forget("a");
    await once.run("a", start);
    once.clear();
    expect(await once.run("a", start)).toBe(3);
  });
});
