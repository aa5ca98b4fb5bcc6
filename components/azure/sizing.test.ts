import { describe, expect, it } from "vitest";
import { containerAppsSize, managedRedisSku, postgresSku, postgresStorageGb } from "./sizing.js";

describe("Container Apps CPU/memory pairs", () => {
  it("rounds a request up to the nearest pair Container Apps offers (2 GiB per vCPU)", () => {
    expect(containerAppsSize(0.25, 512)).toEqual({ cpu: "0.25", cpuCores: 0.25, memory: "0.5Gi" });
    expect(containerAppsSize(0.3, 256)).toEqual({ cpu: "0.5", cpuCores: 0.5, memory: "1Gi" });
    // Memory decides when it asks for more than CPU's pair gives.
    expect(containerAppsSize(0.25, 3000)).toEqual({ cpu: "1.5", cpuCores: 1.5, memory: "3Gi" });
    expect(containerAppsSize(4, 8192)).toEqual({ cpu: "4", cpuCores: 4, memory: "8Gi" });
  });

  it("refuses a pair no Container Apps size holds, naming the range", () => {
    expect(() => containerAppsSize(4.25, 512)).toThrow(/no CPU\/memory pair has 4.25 vCPU and 512 MiB .*4 vCPU\/8 GiB/);
    expect(() => containerAppsSize(1, 9000)).toThrow(/no CPU\/memory pair has 1 vCPU and 9000 MiB/);
    expect(() => containerAppsSize(0, 512)).toThrow(/must be positive/);
  });
});

describe("Flexible Server and Managed Redis sizes", () => {
  it("derives the tier from the compute size and gives a standby to all but burstable", () => {
    expect(postgresSku("Standard_D2ds_v5")).toEqual({
      name: "Standard_D2ds_v5",
      tier: "GeneralPurpose",
      highAvailability: "ZoneRedundant",
    });
    expect(postgresSku("Standard_E4ds_v5").tier).toBe("MemoryOptimized");
    expect(postgresSku("Standard_B1ms")).toMatchObject({ tier: "Burstable", highAvailability: "Disabled" });
    expect(() => postgresSku("db.t4g.micro")).toThrow(/"db.t4g.micro" is not a Flexible Server compute size/);
  });

  it("rounds storage and cache memory up to offered sizes", () => {
    expect(postgresStorageGb(20)).toBe(32);
    expect(postgresStorageGb(100)).toBe(128);
    expect(() => postgresStorageGb(40_000)).toThrow(/over the 32 TiB limit/);
    expect(managedRedisSku(512)).toBe("Balanced_B0");
    expect(managedRedisSku(1000)).toBe("Balanced_B1");
    expect(() => managedRedisSku(200_000)).toThrow(/no Balanced SKU holds/);
  });
});
