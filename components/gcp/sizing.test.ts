import { describe, expect, it } from "vitest";
import { cloudRunSize, memorystoreSizeGb } from "./sizing.js";

describe("cloudRunSize", () => {
  it("gives a quarter-vCPU service one whole CPU, so it can serve concurrent requests", () => {
    expect(cloudRunSize(0.25, 512)).toEqual({ cpu: "1", memory: "512Mi" });
  });

  it("respects the memory range of each CPU value", () => {
    expect(cloudRunSize(1, 5000)).toEqual({ cpu: "2", memory: "5120Mi" });
    expect(cloudRunSize(4, 1024)).toEqual({ cpu: "4", memory: "2048Mi" });
    expect(() => cloudRunSize(8, 40_000)).toThrow(/no container size/);
  });
});

describe("memorystoreSizeGb", () => {
  it("rounds Memorystore up to whole GiB", () => {
    expect(memorystoreSizeGb(1024)).toBe(1);
    expect(memorystoreSizeGb(1025)).toBe(2);
    expect(() => memorystoreSizeGb(400 * 1024)).toThrow(/300 GiB/);
  });
});
