import { describe, expect, it } from "vitest";
import { platform } from "../../services/platform.js";
import { cloudSqlPostgresVersion, elastiCacheEngineVersion, memorystoreRedisVersion, rdsPostgres } from "./versions.js";

describe("engine versions", () => {
  it("spells the declared Redis major the way each cloud accepts it", () => {
    expect(elastiCacheEngineVersion(platform.cache.engineVersion)).toBe("7.1");
    expect(memorystoreRedisVersion(platform.cache.engineVersion)).toBe("REDIS_7_2");
    expect(elastiCacheEngineVersion("7.0")).toBe("7.0");
    expect(memorystoreRedisVersion("7.0")).toBe("REDIS_7_0");
    expect(elastiCacheEngineVersion("6")).toBe("6.x");
    expect(memorystoreRedisVersion("6")).toBe("REDIS_6_X");
  });

  it("spells the declared PostgreSQL major for RDS and Cloud SQL", () => {
    expect(rdsPostgres(platform.database.engineVersion)).toEqual({ engineVersion: "16", family: "postgres16" });
    expect(rdsPostgres("15.4")).toEqual({ engineVersion: "15.4", family: "postgres15" });
    expect(cloudSqlPostgresVersion("16")).toBe("POSTGRES_16");
  });

  it("refuses versions neither cloud offers, saying which are", () => {
    expect(() => elastiCacheEngineVersion("5")).toThrow(/redis 5 is not offered; use one of 6, 7/);
    expect(() => cloudSqlPostgresVersion("9.6")).toThrow(/out of support/);
    expect(() => memorystoreRedisVersion("latest")).toThrow(/is not "<major>"/);
  });
});
