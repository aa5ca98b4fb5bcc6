import { readdir, readFile } from "node:fs/promises";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { type RecordedResource, recordingMocks } from "../components/testing/mocks.js";
import program from "../stacks/index.js";
import type { PackConfig } from "./harness.js";
import { pulumiSettings } from "./pulumi-internals.js";

const STACKS = new URL("../stacks/", import.meta.url);
const CONFIGS = new URL("./config/", import.meta.url);

/** The tag the delivery pipeline sets (`pulumi config set taskflow:imageTag <commit>`) before `pulumi up`. */
export const PIPELINE_TAG = "0123456789abcdef0123456789abcdef01234567";

/** Every stack the repository ships: stacks/Pulumi.<stack>.yaml. */
export async function listStackFiles(): Promise<string[]> {
  const files = await readdir(STACKS);
  return files
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

export async function readStackConfig(stack: string): Promise<Record<string, string>> {
  const file = new URL(`Pulumi.${stack}.yaml`, STACKS);
  const text = await readFile(file, "utf8").catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    const shipped = (await listStackFiles()).join(", ");
    throw new Error(`[taskflow] [stacks] no stack file stacks/Pulumi.${stack}.yaml; shipped stacks: ${shipped}`);
  });
  const config = (parse(text) as { config?: Record<string, unknown> } | null)?.config ?? {};
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)]));
}

/** The policy pack's config for a stack (policy/config/<stack>.json), as `--policy-pack-config` takes it. */
export async function readPackConfig(stack: string): Promise<PackConfig> {
  const text = await readFile(new URL(`${stack}.json`, CONFIGS), "utf8").catch(() => "{}");
  return JSON.parse(text) as PackConfig;
}

export interface BuiltStack {
  readonly stack: string;
  readonly config: Record<string, string>;
  readonly provider: string;
  readonly resources: readonly (RecordedResource & { readonly protect: boolean })[];
  readonly outputs: Record<string, unknown>;
}

/**
 * Runs the Pulumi program (stacks/index.ts) under mocks with a shipped stack file's settings, as
 * the pipeline's `pulumi up` does: with the file's image tag, or the commit tag it sets.
 */
export async function buildStackFile(stack: string): Promise<BuiltStack> {
  const config = await readStackConfig(stack);
  if (!config["taskflow:imageTag"] && !config["taskflow:image"]) config["taskflow:imageTag"] = PIPELINE_TAG;
  const { mocks, resources } = recordingMocks();
  await pulumi.runtime.setMocks(mocks, "taskflow", stack, false);
  pulumi.runtime.setAllConfig(config);
  const protect = recordProtect();
  try {
    const outputs = (await resolve(await program())) as Record<string, unknown>;
    await settle(resources);
    const withOptions = resources.map((r) => ({ ...r, protect: protect.has(`${r.type}::${r.name}`) }));
    return { stack, config, provider: String(outputs.cloudProvider), resources: withOptions, outputs };
  } finally {
    await pulumi.runtime.disconnect();
    pulumi.runtime.setAllConfig({});
  }
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getProtect(): boolean;
}

/**
 * Pulumi's mocks pass a resource's inputs but not its options; the request the SDK sends to the
 * monitor has them, so the monitor's registerResource is wrapped to note which resources asked
 * for `protect`, the option a policy reads as `opts.protect`.
 */
function recordProtect(): Set<string> {
  const protectedResources = new Set<string>();
  const monitor = pulumiSettings.getMonitor() as { registerResource(req: RegisterRequest, cb: unknown): unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    if (req.getProtect()) protectedResources.add(`${req.getType()}::${req.getName()}`);
    return register(req, cb);
  };
  return protectedResources;
}

/**
 * Waits until no more resources arrive. A resource whose inputs wait on other outputs (an
 * autoscaling target on its service's name) registers after the stack outputs resolve, and
 * `disconnect` alone was seen returning before the last of those under load.
 */
async function settle(resources: readonly unknown[]): Promise<void> {
  let quiet = 0;
  let seen = -1;
  while (quiet < 3) {
    await pulumi.runtime.disconnect();
    await new Promise((done) => setTimeout(done, 20));
    quiet = resources.length === seen ? quiet + 1 : 0;
    seen = resources.length;
  }
}

function resolve(value: unknown): Promise<unknown> {
  return new Promise((done) => {
    pulumi.output(value as pulumi.Input<Record<string, unknown>>).apply((plain) => {
      done(plain);
      return plain;
    });
  });
}
