import { describe, expect, it } from "vitest";
import { platform } from "../../services/platform.js";
import { cloudRunSize, elastiCacheNodeType, fargateSize, memorystoreSizeGb } from "./sizing.js";

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

describe("cache sizing", () => {
  it("picks the smallest node that holds the declared memory", () => {
    expect(elastiCacheNodeType(platform.cache.memoryMb)).toBe("cache.t4g.small");
    expect(elastiCacheNodeType(500)).toBe("cache.t4g.micro");
    expect(() => elastiCacheNodeType(100_000)).toThrow(/no node type/);
  });

  it("rounds Memorystore up to whole GiB", () => {
    expect(memorystoreSizeGb(1024)).toBe(1);
    expect(memorystoreSizeGb(1025)).toBe(2);
    expect(() => memorystoreSizeGb(400 * 1024)).toThrow(/300 GiB/);
  });
});

describe("every declared service fits both clouds", () => {
  it.each(platform.services.map((s) => [s.name, s] as const))("%s", (_name, service) => {
    expect(Number(fargateSize(service.cpu, service.memoryMb).memory)).toBeGreaterThanOrEqual(service.memoryMb);
    expect(Number.parseInt(cloudRunSize(service.cpu, service.memoryMb).memory, 10)).toBeGreaterThanOrEqual(
      service.memoryMb,
    );
  });
});
