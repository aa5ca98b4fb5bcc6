import * as pulumi from "@pulumi/pulumi";
import type { CloudProvider } from "../../components/api/platform.js";
import { type MockOptions, type RecordedResource, recordingMocks } from "../../components/testing/mocks.js";
import { buildStack, type StackOutputs } from "../program.js";
import { selectPlatform, selectTarget } from "../select.js";
import { readStackSettings, type StackSettings } from "../settings.js";

/**
 * The config a test stack runs with: the target's own example config (a region, a project, the
 * Kubernetes ingress and backups), as the target describes it in its folder's `target.ts`.
 */
export function testConfig(provider: CloudProvider): Record<string, string> {
  return { ...selectTarget(provider).exampleConfig };
}

/**
 * Settings a test stack runs with: a pushed image and the target's settings, read from `config`
 * by the same reader a real stack uses.
 */
export function testSettings(
  provider: CloudProvider,
  overrides: Partial<StackSettings> = {},
  config: Record<string, string> = testConfig(provider),
): StackSettings {
  const values: Record<string, string> = {
    "taskflow:cloudProvider": provider,
    "taskflow:imageTag": "1.0.0",
    ...config,
  };
  return { ...readStackSettings((namespace, key) => values[`${namespace}:${key}`], "test"), ...overrides };
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
  return runStackWith(testSettings(provider, overrides, config), config);
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
  const platform = await selectPlatform(provider, settings.target);
  const outputs: StackOutputs = buildStack(platform, settings);
  const resolved = (await resolve(outputs)) as Record<string, unknown>;
  // Every registration is an RPC to the mock monitor; disconnect waits for the queue to drain.
  await pulumi.runtime.disconnect();
  return { provider, settings, resources, outputs: resolved, config };
}
