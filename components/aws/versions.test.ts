import { describe, expect, it } from "vitest";
import { elastiCacheEngineVersion, rdsPostgres } from "./versions.js";

describe("AWS engine versions", () => {
  it("spells a Redis major the way ElastiCache accepts it", () => {
    expect(elastiCacheEngineVersion("7")).toBe("7.1");
    expect(elastiCacheEngineVersion("7.0")).toBe("7.0");
    expect(elastiCacheEngineVersion("6")).toBe("6.x");
  });

  it("spells a PostgreSQL major for RDS", () => {
    expect(rdsPostgres("16")).toEqual({ engineVersion: "16", family: "postgres16" });
    expect(rdsPostgres("15.4")).toEqual({ engineVersion: "15.4", family: "postgres15" });
  });

  it("refuses versions it does not offer, saying which are", () => {
    expect(() => elastiCacheEngineVersion("5")).toThrow(/redis 5 is not offered; use one of 6, 7/);
    expect(() => rdsPostgres("9.6")).toThrow(/out of support/);
  });
});
