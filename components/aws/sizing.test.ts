import { describe, expect, it } from "vitest";
import { elastiCacheNodeType, fargateSize } from "./sizing.js";

describe("fargateSize", () => {
  it("keeps a request that is already a Fargate size", () => {
    expect(fargateSize(0.25, 512)).toEqual({ cpu: "256", memory: "512" });
    expect(fargateSize(1, 2048)).toEqual({ cpu: "1024", memory: "2048" });
  });

  it("rounds memory up within the CPU row", () => {
    expect(fargateSize(0.25, 600)).toEqual({ cpu: "256", memory: "1024" });
    expect(fargateSize(0.5, 1500)).toEqual({ cpu: "512", memory: "2048" });
  });

  it("moves to more CPU when the memory does not fit the smaller row", () => {
    expect(fargateSize(0.25, 3000)).toEqual({ cpu: "512", memory: "3072" });
    expect(fargateSize(0.5, 512)).toEqual({ cpu: "512", memory: "1024" });
  });

  it("refuses sizes Fargate does not have", () => {
    expect(() => fargateSize(32, 1024)).toThrow(/no task size/);
    expect(() => fargateSize(0, 512)).toThrow(/must be positive/);
  });
});

describe("elastiCacheNodeType", () => {
  it("picks the smallest node that holds the declared memory", () => {
    expect(elastiCacheNodeType(1024)).toBe("cache.t4g.small");
    expect(elastiCacheNodeType(500)).toBe("cache.t4g.micro");
    expect(() => elastiCacheNodeType(100_000)).toThrow(/no node type/);
  });
});
