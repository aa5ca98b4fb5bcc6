import { describe, expect, it } from "vitest";
import { deduplicationId, messageGroupId } from "./fifo.js";

describe("SNS/SQS FIFO fields", () => {
  it("keeps a valid id and hashes one SQS would refuse, stably", () => {
    expect(deduplicationId("3f1c-…".slice(0, 4))).toBe("3f1c");
    const unicode = deduplicationId("ключ");
    expect(unicode).toMatch(/^[0-9a-f]{64}$/);
    expect(deduplicationId("ключ")).toBe(unicode);
    expect(deduplicationId("x".repeat(129))).toHaveLength(64);
  });

  it("groups by key, else by message id", () => {
    expect(messageGroupId("board-1", "m1")).toBe("board-1");
    expect(messageGroupId(undefined, "m1")).toBe("m1");
    expect(messageGroupId("", "m2")).toBe("m2");
  });
});
