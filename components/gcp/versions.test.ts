import { describe, expect, it } from "vitest";
import { cloudSqlPostgresVersion, memorystoreRedisVersion } from "./versions.js";

describe("GCP engine versions", () => {
  it("spells a Redis major the way Memorystore accepts it", () => {
    expect(memorystoreRedisVersion("7")).toBe("REDIS_7_2");
    expect(memorystoreRedisVersion("7.0")).toBe("REDIS_7_0");
    expect(memorystoreRedisVersion("6")).toBe("REDIS_6_X");
  });

  it("spells a PostgreSQL major for Cloud SQL", () => {
    expect(cloudSqlPostgresVersion("16")).toBe("POSTGRES_16");
  });

  it("refuses versions it does not offer, saying why", () => {
    expect(() => cloudSqlPostgresVersion("9.6")).toThrow(/out of support/);
    expect(() => memorystoreRedisVersion("latest")).toThrow(/is not "<major>"/);
    expect(() => memorystoreRedisVersion("5")).toThrow(/redis 5 is not offered; use one of 6, 7/);
  });
});
