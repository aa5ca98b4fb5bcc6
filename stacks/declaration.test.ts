import { describe, expect, it } from "vitest";
import { elastiCacheNodeType, fargateSize } from "../components/aws/sizing.js";
import { elastiCacheEngineVersion, rdsPostgres } from "../components/aws/versions.js";
import { cloudRunSize } from "../components/gcp/sizing.js";
import { memorystoreRedisVersion } from "../components/gcp/versions.js";
import { platform } from "../services/platform.js";

/** What services/platform.ts declares fits what each cloud offers. */
describe("the declaration fits every cloud", () => {
  it("spells the declared Redis and PostgreSQL majors the way each cloud accepts them", () => {
    expect(elastiCacheEngineVersion(platform.cache.engineVersion)).toBe("7.1");
    expect(memorystoreRedisVersion(platform.cache.engineVersion)).toBe("REDIS_7_2");
    expect(rdsPostgres(platform.database.engineVersion)).toEqual({ engineVersion: "16", family: "postgres16" });
  });

  it("picks the smallest cache node that holds the declared memory", () => {
    expect(elastiCacheNodeType(platform.cache.memoryMb)).toBe("cache.t4g.small");
  });
});

describe("every declared service fits both clouds' compute sizes", () => {
  it.each(platform.services.map((s) => [s.name, s] as const))("%s", (_name, service) => {
    expect(Number(fargateSize(service.cpu, service.memoryMb).memory)).toBeGreaterThanOrEqual(service.memoryMb);
    expect(Number.parseInt(cloudRunSize(service.cpu, service.memoryMb).memory, 10)).toBeGreaterThanOrEqual(
      service.memoryMb,
    );
  });
});
