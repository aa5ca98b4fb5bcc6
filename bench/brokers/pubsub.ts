import { randomUUID } from "node:crypto";
import { type Message, PubSub } from "@google-cloud/pubsub";
import { createPubSubBroker } from "../../adapters/gcp-pubsub/index.js";
import { findPubSubLauncher, startPubSubEmulator } from "../../scripts/emulators.js";
import { measureInterleaved, type Operation } from "../lib/measure.js";
import {
  Arrivals,
  adapterRoundTrip,
  BENCH_HEADERS,
  type BrokerCase,
  benchBody,
  onEmulator,
  rows,
  withSides,
} from "./case.js";

/**
 * Pub/Sub on Google's emulator, started here. One operation is one message published and
 * seen by the subscription's consumer. The adapter side is `publish()` and `subscribe()`;
 * the raw side is the client library used directly: `Topic.publishMessage` with the same
 * batching, headers and id as attributes, and a streaming-pull subscriber with flow control
 * at the same concurrency that parses and acks each message.
 */
const CONCURRENCY = 64;
const PROJECT = "taskflow-bench";

async function adapterSide(host: string) {
  const broker = createPubSubBroker({ projectId: PROJECT, emulatorHost: host, pullTimeoutMs: 2_000 });
  const { subscription, op } = await adapterRoundTrip(broker, "bench-adapter", CONCURRENCY);
  const close = async () => {
    await subscription.close();
    await broker.close();
  };
  return { op, close };
}

async function rawSide(host: string) {
  const pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: host, emulatorMode: true });
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  const [created] = await pubsub.createTopic(name);
  const topic = pubsub.topic(created.name, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
  const [subscription] = await created.createSubscription(name, { ackDeadlineSeconds: 30 });
  subscription.setOptions({ flowControl: { maxMessages: CONCURRENCY, allowExcessMessages: false } });
  const arrivals = new Arrivals();
  subscription.on("message", (message: Message) => {
    JSON.parse(message.data.toString("utf8"));
    arrivals.arrived(message.attributes.id ?? "");
    message.ack();
  });
  const op: Operation = async (i) => {
    const id = randomUUID();
    const seen = arrivals.expect(id);
    await topic.publishMessage({
      data: Buffer.from(JSON.stringify(benchBody(i)), "utf8"),
      attributes: { ...BENCH_HEADERS, id },
    });
    await seen;
  };
  const close = async () => {
    await subscription.close();
    await pubsub.close();
  };
  return { op, close };
}

export const pubSubCase: BrokerCase = {
  name: "gcp-pubsub",
  async run() {
    if (!findPubSubLauncher()) {
      return { skipped: "the Pub/Sub emulator is not installed (Debian package google-cloud-cli-pubsub-emulator)" };
    }
    process.env.METADATA_SERVER_DETECTION ??= "none";
    return onEmulator(startPubSubEmulator, (emulator) =>
      withSides(
        () => adapterSide(emulator.address),
        () => rawSide(emulator.address),
        async (adapter, raw) => {
          const measured = await measureInterleaved(
            { adapter: adapter.op, raw: raw.op },
            { concurrency: CONCURRENCY, opsPerRound: 2_000, rounds: 5 },
          );
          return rows(
            `gcp-pubsub (emulator) publish + consume, ${CONCURRENCY} in flight`,
            "raw @google-cloud/pubsub publish + streaming pull",
            measured.adapter,
            measured.raw,
          );
        },
      ),
    );
  },
};
