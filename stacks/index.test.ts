import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { recordingMocks } from "../components/testing/mocks.js";
import program from "./index.js";

/** Runs the Pulumi entry point as `pulumi up` would, with `config` as the stack's settings. */
async function up(config: Record<string, string>) {
  const { mocks, resources } = recordingMocks();
  await pulumi.runtime.setMocks(mocks, "taskflow", "switch", false);
  pulumi.runtime.setAllConfig(config);
  try {
    const outputs = await program();
    const provider = outputs.cloudProvider;
    return { provider, resources };
  } finally {
    await pulumi.runtime.disconnect();
  }
}

describe("stacks/index.ts", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  it("deploys to GCP when taskflow:cloudProvider says gcp", async () => {
    const { provider, resources } = await up({
      "taskflow:cloudProvider": "gcp",
      "gcp:project": "acme-taskflow",
      "gcp:region": "europe-west1",
    });
    expect(provider).toBe("gcp");
    expect(resources.some((r) => r.type.startsWith("aws:"))).toBe(false);
    expect(resources.find((r) => r.type === "gcp:sql/databaseInstance:DatabaseInstance")?.inputs.region).toBe(
      "europe-west1",
    );
  });

  it("deploys to Azure when taskflow:cloudProvider says azure, in azure-native:location", async () => {
    const { provider, resources } = await up({
      "taskflow:cloudProvider": "azure",
      "azure-native:location": "northeurope",
      "taskflow:imageTag": "1.0.0",
    });
    expect(provider).toBe("azure");
    expect(resources.some((r) => r.type.startsWith("aws:") || r.type.startsWith("gcp:"))).toBe(false);
    expect(resources.find((r) => r.type === "azure-native:dbforpostgresql:Server")?.inputs.location).toBe(
      "northeurope",
    );
    expect(resources.filter((r) => r.type === "azure-native:app:ContainerApp")).toHaveLength(5);
  });
});
