import { describe, expect, it } from "vitest";
import { cidrsOverlap, splitCidr } from "./cidr.js";

describe("splitCidr", () => {
  it("cuts a /16 into consecutive /20 blocks", () => {
    expect(splitCidr("10.0.0.0/16", 20, 4)).toEqual(["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"]);
  });

  it("produces blocks that never overlap and stay inside the parent", () => {
    const blocks = splitCidr("172.16.0.0/12", 16, 16);
    for (const [i, a] of blocks.entries()) {
      expect(cidrsOverlap(a, "172.16.0.0/12")).toBe(true);
      for (const b of blocks.slice(i + 1)) expect(cidrsOverlap(a, b)).toBe(false);
    }
    expect(blocks.at(-1)).toBe("172.31.0.0/16");
  });

  it("reports how many blocks fit when asked for too many", () => {
    expect(() => splitCidr("10.0.0.0/24", 26, 5)).toThrow("holds 4 blocks of /26, not 5");
  });

  it("rejects malformed ranges and ranges with host bits set", () => {
    expect(() => splitCidr("10.0.0/16", 20, 1)).toThrow(/not an IPv4 CIDR/);
    expect(() => splitCidr("10.0.1.0/16", 20, 1)).toThrow(/did you mean 10.0.0.0\/16/);
    expect(() => splitCidr("10.0.0.0/16", 12, 1)).toThrow(/use a prefix from \/16 to \/28/);
  });
});
