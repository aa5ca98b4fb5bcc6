import { PubSub, v1 } from "@google-cloud/pubsub";
import { parseAddress } from "../../scripts/test-servers.js";
import { serverGate } from "../testing/servers.js";
import type { PubSubBrokerOptions } from "./config.js";

/** The emulator the vitest global setup started, or the one `PUBSUB_EMULATOR_HOST` names. */
export const TEST_EMULATOR_HOST = process.env.PUBSUB_EMULATOR_HOST;
export const TEST_PROJECT = "taskflow-tests";

export function pubSubGate(): Promise<string | undefined> {
  return serverGate(
    "Pub/Sub emulator",
    parseAddress(TEST_EMULATOR_HOST),
    "install google-cloud-cli-pubsub-emulator (vitest's global setup then starts it) or set PUBSUB_EMULATOR_HOST",
  );
}

export function testOptions(namePrefix: string, overrides: Partial<PubSubBrokerOptions> = {}): PubSubBrokerOptions {
  return {
    projectId: TEST_PROJECT,
    emulatorHost: TEST_EMULATOR_HOST,
    namePrefix,
    pullTimeoutMs: 2_000,
    ...overrides,
  };
}

async function rawClients() {
  process.env.METADATA_SERVER_DETECTION ??= "none";
  const pubsub = new PubSub({ projectId: TEST_PROJECT, apiEndpoint: TEST_EMULATOR_HOST, emulatorMode: true });
  const options = (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.SubscriberClient>[0];
  const subscriber = new v1.SubscriberClient(options);
  const publisher = new v1.PublisherClient(options);
  const close = async () => {
    await Promise.allSettled([subscriber.close(), publisher.close(), pubsub.close()]);
  };
  return { subscriber, publisher, close };
}

/** Deletes every subscription and topic whose id starts with `prefix`. */
export async function deleteByPrefix(prefix: string): Promise<void> {
  const { subscriber, publisher, close } = await rawClients();
  const ours = (name: string | null | undefined) => !!name && name.slice(name.lastIndexOf("/") + 1).startsWith(prefix);
  try {
    const [subscriptions] = await subscriber.listSubscriptions({ project: `projects/${TEST_PROJECT}` });
    await Promise.all(
      subscriptions.filter((s) => ours(s.name)).map((s) => subscriber.deleteSubscription({ subscription: s.name })),
    );
    const [topics] = await publisher.listTopics({ project: `projects/${TEST_PROJECT}` });
    await Promise.all(topics.filter((t) => ours(t.name)).map((t) => publisher.deleteTopic({ topic: t.name })));
  } finally {
    await close();
  }
}
