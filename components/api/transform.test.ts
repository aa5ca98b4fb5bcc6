import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AwsRegistry } from "../aws/registry.js";
import { recordingMocks } from "../testing/mocks.js";
import { transformed } from "./transform.js";

describe("transformed", () => {
  const args: { name: string; visibilityTimeoutSeconds: number; tags: Record<string, string> } = {
    name: "queue",
    visibilityTimeoutSeconds: 30,
    tags: { team: "tasks" },
  };

  it("passes name, arguments and options through when there is no transform", () => {
    const opts = {};
    expect(transformed(undefined, "child", args, opts)).toEqual(["child", args, opts]);
  });

  it("merges a partial object over the component's choice", () => {
    const [, merged] = transformed({ visibilityTimeoutSeconds: 120 }, "child", args, {});
    expect(merged).toEqual({ name: "queue", visibilityTimeoutSeconds: 120, tags: { team: "tasks" } });
  });

  it("lets a function edit arguments and options in place", () => {
    const [, edited, opts] = transformed<typeof args>(
      (a, o) => {
        a.tags = { ...a.tags, cost: "shared" };
        o.protect = true;
      },
      "child",
      { ...args },
      {},
    );
    expect(edited.tags).toEqual({ team: "tasks", cost: "shared" });
    expect(opts.protect).toBe(true);
  });
});

describe("a component's transform hook", () => {
  it("reaches the child resource the cloud creates", async () => {
    const { mocks, resources } = recordingMocks();
    await pulumi.runtime.setMocks(mocks, "taskflow", "transform-test", false);
    new AwsRegistry("images", {
      region: "eu-west-1",
      keepImages: 5,
      transform: { repository: { imageTagMutability: "MUTABLE" } },
    });
    await pulumi.runtime.disconnect();
    const repository = resources.find((r) => r.type === "aws:ecr/repository:Repository");
    expect(repository?.inputs.imageTagMutability).toBe("MUTABLE");
    const lifecycle = resources.find((r) => r.type === "aws:ecr/lifecyclePolicy:LifecyclePolicy");
    expect(String(lifecycle?.inputs.policy)).toContain('"countNumber":5');
  });
});
