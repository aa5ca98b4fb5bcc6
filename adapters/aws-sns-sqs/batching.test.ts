import { describe, expect, it } from "vitest";
import { chunkBatch } from "./batching.js";

const entries = (sizes: number[]) => sizes.map((bytes, index) => ({ index, bytes }));

describe("SNS batch chunking", () => {
  it("sends at most 10 entries per call, in order", () => {
    const chunks = chunkBatch(entries(Array.from({ length: 23 }, () => 10)));
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 3]);
    expect(chunks.flat().map((e) => e.index)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it("starts a new call before the 256 KiB total would be passed", () => {
    const chunks = chunkBatch(entries([100_000, 100_000, 100_000, 5]));
    expect(chunks.map((c) => c.map((e) => e.index))).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it("returns no calls for no entries", () => {
    expect(chunkBatch([])).toEqual([]);
  });
});
