import type { BrokerCase } from "./brokers/case.js";
import { pubSubCase } from "./brokers/pubsub.js";
import { rabbitMqCase } from "./brokers/rabbitmq.js";
import { sqsCase } from "./brokers/sqs.js";
import { type BenchResult, writeReport } from "./lib/report.js";
import { skipBench } from "./lib/skip.js";

/**
 * Publish + consume throughput through each broker adapter that has a server or emulator on
 * this machine, against the raw client doing the same work in the same run (ratio = adapter /
 * raw; target ≤ 1.15). The emulators are started and stopped by their cases. One line per
 * broker below; each case lives in `bench/brokers/`.
 */
const CASES: readonly BrokerCase[] = [sqsCase, pubSubCase, rabbitMqCase];

async function main(): Promise<void> {
  const only = new Set(process.env.BENCH_BROKERS?.split(",").filter(Boolean));
  const results: BenchResult[] = [];
  const skipped: string[] = [];
  for (const brokerCase of CASES) {
    if (only.size > 0 && !only.has(brokerCase.name)) continue;
    console.log(`[bench] brokers: ${brokerCase.name}`);
    const outcome = await brokerCase.run();
    if ("skipped" in outcome) {
      console.log(`[bench] brokers: ${brokerCase.name} skipped: ${outcome.skipped}`);
      skipped.push(brokerCase.name);
      continue;
    }
    for (const result of outcome) {
      const ratio = result.baseline ? (result.value / result.baseline.value).toFixed(2) : "";
      console.log(`  ${result.name}: ${result.value.toFixed(1)} ${result.unit} (ratio ${ratio})`);
    }
    results.push(...outcome);
  }
  if (results.length === 0) skipBench(`no broker could run (${skipped.join(", ")})`);
  await writeReport("brokers", results);
}

await main();
