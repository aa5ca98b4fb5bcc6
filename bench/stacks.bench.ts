import * as aws from "@pulumi/aws";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CloudProvider } from "../components/api/platform.js";
import { recordingMocks } from "../components/testing/mocks.js";
import { runStack } from "../stacks/testing/run-stack.js";
import { median } from "./lib/measure.js";
import { type BenchResult, writeReport } from "./lib/report.js";

/**
 * Time to build each cloud's whole resource graph under Pulumi mocks (what every stack test
 * and `npm run docs:parity` pays), against registering the same number of plain resources with
 * no components, no secrets and no cross-references in the same run. The ratio is the cost of
 * the component model over raw registration; the target is under 2 s per cloud.
 */

const ROUNDS = 5;

async function plainResources(provider: CloudProvider, count: number): Promise<void> {
  const { mocks } = recordingMocks();
  await pulumi.runtime.setMocks(mocks, "taskflow", "bench", false);
  for (let i = 0; i < count; i++) {
    if (provider === "aws") new aws.sns.Topic(`plain-${i}`, { name: `plain-${i}` });
    else if (provider === "gcp") new gcp.pubsub.Topic(`plain-${i}`, { name: `plain-${i}`, project: "bench" });
    else if (provider === "azure")
      new resources.ResourceGroup(`plain-${i}`, { resourceGroupName: `plain-${i}`, location: "westeurope" });
    else new k8s.core.v1.ConfigMap(`plain-${i}`, { metadata: { name: `plain-${i}` }, data: { key: "value" } });
  }
  await pulumi.runtime.disconnect();
}

interface Timing {
  readonly wallMs: number;
  /** User + system CPU of this process: steadier than the wall clock on a busy shared machine. */
  readonly cpuMs: number;
}

async function timed(fn: () => Promise<unknown>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

const results: BenchResult[] = [];
for (const provider of ["aws", "azure", "gcp", "kubernetes"] as const) {
  // The first run loads the provider SDK's modules; it is not what a repeated build costs.
  const { resources } = await runStack(provider);
  const count = resources.length;
  await plainResources(provider, count);

  const stackTimes: Timing[] = [];
  const plainTimes: Timing[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    stackTimes.push(await timed(() => runStack(provider)));
    plainTimes.push(await timed(() => plainResources(provider, count)));
  }
  for (const kind of ["wallMs", "cpuMs"] as const) {
    const what = kind === "wallMs" ? "wall clock" : "CPU time";
    const stack = median(stackTimes.map((t) => t[kind]));
    const plain = median(plainTimes.map((t) => t[kind]));
    results.push({
      name: `${provider}: build the stack's resource graph (${what})`,
      value: stack,
      unit: "ms",
      baseline: { name: `${count} plain ${provider} resources (${what})`, value: plain },
    });
    console.log(
      `[bench] ${provider} ${what}: stack ${stack.toFixed(0)} ms, plain ${plain.toFixed(0)} ms (median of ${ROUNDS})`,
    );
  }
  results.push({ name: `${provider}: resources in the graph`, value: count, unit: "resources" });
}

const report = await writeReport("stacks", results);
for (const r of report.results) {
  console.log(`${r.name}: ${r.value} ${r.unit}${r.ratio === undefined ? "" : ` (x${r.ratio} of ${r.baseline?.name})`}`);
}
