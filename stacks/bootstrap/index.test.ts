import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { recordingMocks } from "../../components/testing/mocks.js";
import program from "./index.js";
import { subjects } from "./settings.js";

async function up(config: Record<string, string>) {
  const { mocks, resources } = recordingMocks();
  const withAzure: pulumi.runtime.Mocks = {
    newResource: (args) => {
      const result = mocks.newResource(args) as { id: string; state: Record<string, unknown> };
      if (args.type.endsWith(":UserAssignedIdentity"))
        return { ...result, state: { ...result.state, principalId: "p-1", clientId: "c-1", tenantId: "t-1" } };
      return result;
    },
    call: mocks.call,
  };
  await pulumi.runtime.setMocks(withAzure, "taskflow-bootstrap", "test", false);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k.includes(":") ? k : `taskflow-bootstrap:${k}`, v])),
  );
  try {
    await program();
    await pulumi.runtime.disconnect();
    await new Promise((done) => setTimeout(done, 50));
    return resources;
  } finally {
    pulumi.runtime.setAllConfig({});
  }
}

describe("stacks/bootstrap", () => {
  afterEach(() => pulumi.runtime.setAllConfig({}));

  it("AWS: a role only this repository's deploy environments and pull requests can assume", async () => {
    const resources = await up({ cloud: "aws", repository: "acme/taskflow" });
    const role = resources.find((r) => r.type === "aws:iam/role:Role");
    const trust = JSON.parse(String(role?.inputs.assumeRolePolicy));
    const statement = trust.Statement[0];
    expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement.Condition.StringEquals["token.actions.githubusercontent.com:aud"]).toBe("sts.amazonaws.com");
    expect(statement.Condition["ForAnyValue:StringEquals"]["token.actions.githubusercontent.com:sub"]).toEqual([
      "repo:acme/taskflow:environment:staging",
      "repo:acme/taskflow:environment:production",
      "repo:acme/taskflow:pull_request",
    ]);
    expect(resources.find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider")?.inputs.url).toBe(
      "https://token.actions.githubusercontent.com",
    );
  });

  it("GCP: a pool whose provider accepts only this repository, and impersonation per subject", async () => {
    const resources = await up({
      cloud: "gcp",
      repository: "acme/taskflow",
      environments: "production",
      "gcp:project": "acme-taskflow",
    });
    const provider = resources.find(
      (r) => r.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    );
    expect(provider?.inputs.attributeCondition).toBe('assertion.repository == "acme/taskflow"');
    const members = resources
      .filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember")
      .map((r) => String(r.inputs.member));
    expect(members).toHaveLength(2);
    expect(members[0]).toMatch(
      /^principal:\/\/iam.googleapis.com\/projects\/987654321098\/.*\/subject\/repo:acme\/taskflow:environment:production$/,
    );
    expect(
      resources.some(
        (r) => r.type === "gcp:projects/service:Service" && r.inputs.service === "containerscanning.googleapis.com",
      ),
    ).toBe(true);
  });

  it("Azure: one federated credential per subject on a user-assigned identity", async () => {
    const resources = await up({
      cloud: "azure",
      repository: "acme/taskflow",
      pullRequests: "false",
      "azure-native:subscriptionId": "00000000-0000-0000-0000-000000000000",
      "azure-native:location": "westeurope",
    });
    const creds = resources.filter((r) => r.type === "azure-native:managedidentity:FederatedIdentityCredential");
    expect(creds.map((c) => c.inputs.subject)).toEqual([
      "repo:acme/taskflow:environment:staging",
      "repo:acme/taskflow:environment:production",
    ]);
    expect(creds[0]?.inputs.issuer).toBe("https://token.actions.githubusercontent.com");
    // Pushed images are scanned: Defender for Containers on the subscription.
    expect(resources.filter((r) => r.type === "azure-native:security:Pricing").map((r) => r.inputs)).toEqual([
      {
        pricingName: "Containers",
        pricingTier: "Standard",
        scopeId: "subscriptions/00000000-0000-0000-0000-000000000000",
      },
    ]);
  });

  it("refuses a repository that is not owner/name", () => {
    expect(() => subjects({ repository: "taskflow", environments: ["production"], pullRequests: false })).toThrow(
      /is not owner\/name/,
    );
  });
});
