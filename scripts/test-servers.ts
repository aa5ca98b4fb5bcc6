import { parseAddress, tcpReachable } from "../adapters/testing/servers.js";
import { findPubSubLauncher, type RunningEmulator, startFauxqs, startPubSubEmulator } from "./emulators.js";

/**
 * Vitest `globalSetup`: starts the SNS/SQS emulator (fauxqs) and the Pub/Sub emulator once
 * for the whole run, unless `AWS_ENDPOINT_URL` / `PUBSUB_EMULATOR_HOST` already point at
 * running ones, and stops what it started afterwards. The addresses reach the test workers
 * as environment variables, set here before any worker starts.
 *
 * `TASKFLOW_EMULATORS=off` skips both (the broker suites then skip, or fail under CI).
 * A missing Pub/Sub launcher leaves `PUBSUB_EMULATOR_HOST` unset, with the same effect.
 */

/** Set by this setup so a test can tell the addresses came from here. */
export const TEST_SERVERS_MARKER = "TASKFLOW_TEST_SERVERS";

export default async function setup(): Promise<() => Promise<void>> {
  const started: RunningEmulator[] = [];
  if (process.env.TASKFLOW_EMULATORS === "off") return async () => {};

  const needSqs = !(await answering(process.env.AWS_ENDPOINT_URL));
  const needPubSub = !(await answering(process.env.PUBSUB_EMULATOR_HOST)) && findPubSubLauncher() !== undefined;
  const [sqs, pubsub] = await Promise.allSettled([
    needSqs ? startFauxqs() : Promise.resolve(undefined),
    needPubSub ? startPubSubEmulator() : Promise.resolve(undefined),
  ]);
  if (sqs.status === "fulfilled" && sqs.value) {
    started.push(sqs.value);
    process.env.AWS_ENDPOINT_URL = sqs.value.address;
  } else if (sqs.status === "rejected") {
    console.warn(String(sqs.reason));
  }
  if (pubsub.status === "fulfilled" && pubsub.value) {
    started.push(pubsub.value);
    process.env.PUBSUB_EMULATOR_HOST = pubsub.value.address;
  } else if (pubsub.status === "rejected") {
    console.warn(String(pubsub.reason));
  }
  process.env[TEST_SERVERS_MARKER] = started.map((emulator) => emulator.name).join(",") || "none";

  return async () => {
    await Promise.allSettled(started.map((emulator) => emulator.stop()));
  };
}

async function answering(address: string | undefined): Promise<boolean> {
  const parsed = parseAddress(address);
  return parsed !== undefined && (await tcpReachable(parsed.host, parsed.port));
}
