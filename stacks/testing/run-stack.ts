import * as pulumi from "@pulumi/pulumi";
import type { CloudProvider } from "../../components/api/platform.js";
import { MOCK_AZURE_LOCATION } from "../../components/testing/azure-mocks.js";
import {
  MOCK_PROJECT,
  type MockOptions,
  type RecordedResource,
  recordingMocks,
} from "../../components/testing/mocks.js";
import { buildStack, type StackOutputs } from "../program.js";
import { selectPlatform } from "../select.js";
import type { StackSettings } from "../settings.js";

/**
 * Target-specific config a test stack runs with (`taskflow:` keys read by the target itself):
 * on Kubernetes an image repository, an ingress host with TLS from cert-manager, and a backup
 * bucket, so every capability the declaration asks for has something to come from.
 */
export function testConfig(provider: CloudProvider): Record<string, string> {
  if (provider !== "kubernetes") return {};
  return {
    "taskflow:imageRepository": "registry.example.com/taskflow",
    "taskflow:ingressHost": "tasks.example.com",
    "taskflow:ingressTlsSecret": "taskflow-tls",
    "taskflow:certManagerIssuer": "letsencrypt",
    "taskflow:backupBucket": "s3://taskflow-backups/test",
  };
}

/** Settings a test stack runs with: a pushed image, a region, the project on GCP, plain HTTP on AWS. */
export function testSettings(provider: CloudProvider, overrides: Partial<StackSettings> = {}): StackSettings {
  return {
    provider,
    appName: "taskflow-test",
    placement:
      provider === "gcp"
        ? { region: "europe-west1", project: MOCK_PROJECT }
        : provider === "azure"
          ? { region: MOCK_AZURE_LOCATION }
          : provider === "kubernetes"
            ? { region: "" }
            : { region: "eu-west-1" },
    // As stacks/Pulumi.aws.yaml: no certificate yet, plain HTTP opted into.
    ...(provider === "aws" ? { allowPlainHttp: true } : {}),
    imageTag: "1.0.0",
    logLevel: "info",
    ...overrides,
  };
}

export interface StackRun {
  readonly provider: CloudProvider;
  readonly settings: StackSettings;
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** The target-specific config the run was given (`taskflow:key` → value). */
  readonly config: Readonly<Record<string, string>>;
}

/** Resolves every output in `value`, however deeply nested, to plain data. */
function resolve(value: unknown): Promise<unknown> {
  return new Promise((done) => {
    pulumi.output(value as pulumi.Input<Record<string, unknown>>).apply((plain) => {
      done(plain);
      return plain;
    });
  });
}

/**
 * Builds the whole stack for `provider` under Pulumi mocks and waits until every resource has
 * been registered. Call it inside a test (after nothing else has set mocks in this module
 * context); each call starts from fresh mocks.
 */
export async function runStack(
  provider: CloudProvider,
  overrides: Partial<StackSettings> = {},
  config: Record<string, string> = testConfig(provider),
): Promise<StackRun> {
  return runStackWith(testSettings(provider, overrides), config);
}

/**
 * The same, with settings as a stack file gives them (see stacks/settings.ts) and `config` as
 * its raw `namespace:key` values; `stack` is the Pulumi stack name.
 */
export async function runStackWith(
  settings: StackSettings,
  config: Record<string, string>,
  mockOptions: MockOptions = {},
  stack = "test",
): Promise<StackRun> {
  const provider = settings.provider;
  const { mocks, resources } = recordingMocks(mockOptions);
  await pulumi.runtime.setMocks(mocks, "taskflow", stack, false);
  pulumi.runtime.setAllConfig(config);
  const platform = await selectPlatform(provider);
  const outputs: StackOutputs = buildStack(platform, settings);
  const resolved = (await resolve(outputs)) as Record<string, unknown>;
  // Every registration is an RPC to the mock monitor; disconnect waits for the queue to drain.
  await pulumi.runtime.disconnect();
  return { provider, settings, resources, outputs: resolved, config };
}
