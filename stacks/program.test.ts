import { describe, expect, it } from "vitest";
import { platform } from "../services/platform.js";
import { creationOrder } from "./program.js";
import { runStack } from "./testing/run-stack.js";

describe("creationOrder", () => {
  it("creates the token signer first and the public gateway last", () => {
    const order = creationOrder(platform.services).map((s) => s.name);
    expect(order[0]).toBe("identity");
    expect(order.at(-1)).toBe("gateway");
    expect([...order].sort()).toEqual(platform.services.map((s) => s.name).sort());
  });
});

describe("buildStack before an image is pushed", () => {
  it("creates the registry and the data services but no container service", async () => {
    const run = await runStack("aws", { imageTag: undefined });
    const types = new Set(run.resources.map((r) => r.type));
    expect(types.has("aws:ecr/repository:Repository")).toBe(true);
    expect(types.has("aws:rds/instance:Instance")).toBe(true);
    expect(types.has("aws:ecs/service:Service")).toBe(false);
    expect(run.outputs.publicUrl).toBeUndefined();
    expect(String(run.outputs.registryUrl)).toMatch(/\.dkr\.ecr\./);
  });
});
