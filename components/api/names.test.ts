import { describe, expect, it } from "vitest";
import { AWS_NAMES } from "../aws/names.js";
import { GCP_NAMES } from "../gcp/names.js";
import { physicalName } from "./names.js";

describe("physicalName", () => {
  it("joins parts and keeps a short name as written", () => {
    expect(physicalName(AWS_NAMES.queue, "taskflow-prod", "tasks-activity")).toBe("taskflow-prod-tasks-activity");
  });

  it("fits a long name to the limit, keeping its start and a hash that tells similar names apart", () => {
    const a = physicalName(AWS_NAMES.loadBalancer, "taskflow-production-eu", "notifications-internal");
    const b = physicalName(AWS_NAMES.loadBalancer, "taskflow-production-eu", "notifications-internal-2");
    expect(a.length).toBeLessThanOrEqual(32);
    expect(b.length).toBeLessThanOrEqual(32);
    expect(a.startsWith("taskflow-production-eu")).toBe(true);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[a-z0-9-]+$/);
  });

  it("is stable: the same parts give the same name on every run", () => {
    const parts = ["taskflow-staging", "users-identity-events", "deadletter"];
    expect(physicalName(GCP_NAMES.serviceAccount, ...parts)).toBe(physicalName(GCP_NAMES.serviceAccount, ...parts));
  });

  it("replaces disallowed characters, lowercases, and starts with a letter where the cloud demands it", () => {
    expect(physicalName(GCP_NAMES.serviceAccount, "9Prod_Stack", "api")).toBe("n-9prod-stack-api");
    expect(physicalName(GCP_NAMES.cloudRun, "my..stack--", "Gateway")).toBe("my-stack-gateway");
  });

  it("keeps GCP service account ids within 30 characters and without a trailing dash", () => {
    const name = physicalName(GCP_NAMES.serviceAccount, "taskflow-a-very-long-stack-name", "notifications");
    expect(name.length).toBeLessThanOrEqual(30);
    expect(name).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
  });

  it("refuses to derive a name from nothing", () => {
    expect(() => physicalName(AWS_NAMES.queue)).toThrow(/no parts/);
  });
});
