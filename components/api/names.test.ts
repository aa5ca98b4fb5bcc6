import { describe, expect, it } from "vitest";
import { NAME_RULES, physicalName } from "./names.js";

describe("physicalName", () => {
  it("joins parts and keeps a short name as written", () => {
    expect(physicalName(NAME_RULES.awsQueue, "taskflow-prod", "tasks-activity")).toBe("taskflow-prod-tasks-activity");
  });

  it("fits a long name to the limit, keeping its start and a hash that tells similar names apart", () => {
    const a = physicalName(NAME_RULES.awsLoadBalancer, "taskflow-production-eu", "notifications-internal");
    const b = physicalName(NAME_RULES.awsLoadBalancer, "taskflow-production-eu", "notifications-internal-2");
    expect(a.length).toBeLessThanOrEqual(32);
    expect(b.length).toBeLessThanOrEqual(32);
    expect(a.startsWith("taskflow-production-eu")).toBe(true);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9-]+$/);
  });

  it("is stable: the same parts give the same name on every run", () => {
    const parts = ["taskflow-staging", "users-identity-events", "deadletter"];
    expect(physicalName(NAME_RULES.gcpServiceAccount, ...parts)).toBe(
      physicalName(NAME_RULES.gcpServiceAccount, ...parts),
    );
  });

  it("replaces disallowed characters, lowercases, and starts with a letter where the cloud demands it", () => {
    expect(physicalName(NAME_RULES.gcpServiceAccount, "9Prod_Stack", "api")).toBe("n-9prod-stack-api");
    expect(physicalName(NAME_RULES.gcpCloudRun, "my..stack--", "Gateway")).toBe("my-stack-gateway");
  });

  it("keeps GCP service account ids within 30 characters and without a trailing dash", () => {
    const name = physicalName(NAME_RULES.gcpServiceAccount, "taskflow-a-very-long-stack-name", "notifications");
    expect(name.length).toBeLessThanOrEqual(30);
    expect(name).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
  });

  it("refuses to derive a name from nothing", () => {
    expect(() => physicalName(NAME_RULES.awsQueue)).toThrow(/no parts/);
  });
});
