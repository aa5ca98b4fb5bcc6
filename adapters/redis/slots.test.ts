import { describe, expect, it } from "vitest";
import { crc16, groupBySlot, hashSlot, hashTag } from "./slots.js";

describe("redis cluster slots", () => {
  it("computes CRC16/XMODEM as the cluster spec does", () => {
    // The check value from the Redis cluster specification.
    expect(crc16(Buffer.from("123456789"))).toBe(0x31c3);
  });

  it("puts keys in the slots Redis reports for them", () => {
    // Values from `CLUSTER KEYSLOT` on Redis 7.
    expect(hashSlot("foo")).toBe(12182);
    expect(hashSlot("bar")).toBe(5061);
    expect(hashSlot("user:1000")).toBe(1649);
    expect(hashSlot("")).toBe(0);
  });

  it("uses the first non-empty hash tag, and the whole key otherwise", () => {
    expect(hashTag("{user1000}.following")).toBe("user1000");
    expect(hashTag("foo{}{bar}")).toBe("foo{}{bar}");
    expect(hashTag("foo{{bar}}zap")).toBe("{bar");
    expect(hashTag("foo{bar}{zap}")).toBe("bar");
    expect(hashTag("no-tag}{")).toBe("no-tag}{");
    expect(hashSlot("{user1000}.following")).toBe(hashSlot("{user1000}.followers"));
  });

  it("groups positions by slot and keeps the order inside each group", () => {
    const keys = ["{a}1", "{b}1", "{a}2", "{c}1", "{b}2", "{a}3"];
    expect(groupBySlot(keys)).toEqual([[0, 2, 5], [1, 4], [3]]);
    expect(groupBySlot([])).toEqual([]);
  });
});
