import { runBrokerContract } from "../testing/broker-contract.js";
import { FakeKafkaCluster } from "./fake-client.js";
import { KAFKA_CAPABILITIES, KafkaMessageBroker } from "./message-broker.js";

/**
 * The shared broker contract on the in-process Kafka fake (fake-client.ts), so every change to
 * the adapter meets the whole suite here and not only where a real cluster runs
 * (message-broker.int.test.ts). One cluster per suite: every client the factory opens reaches
 * the same "server". What the fake cannot be put through is skipped by name with its reason.
 */
const cluster = new FakeKafkaCluster();
const broker = (autoCreate = true) =>
  new KafkaMessageBroker({ client: cluster, partitions: 4, joinTimeoutMs: 1_000, autoCreate, onError: () => {} });

runBrokerContract("kafka (fake cluster)", async (options) => broker(options?.autoCreate), {
  capabilities: KAFKA_CAPABILITIES,
  faults: {
    network: { absent: "the fake cluster is in this process: there is no network between it and the adapter" },
    // Tried on this fake with a consumer that left its group holding what it had received,
    // uncommitted: the survivor handled every message, but FC5 also checks that a redelivery
    // counts as attempt 2, and Kafka keeps no delivery count. The adapter counts attempts in the
    // process that handles them, so a record redelivered after its consumer died is attempt 1
    // again (docs/parity.md lists the same gap for max attempts).
    killable: {
      absent:
        "Kafka keeps no delivery count: a record redelivered after its consumer died arrives as attempt 1, which FC5 requires to be at least 2",
    },
    // With the dead-letter topic refusing writes, the poison record's partition stops behind it
    // (one partition is one ordered log), so the records after it on that partition wait too,
    // while FC4 requires them to flow: tried on this fake, 4 of 20 waited until the repair.
    breakDeadLetters: {
      absent:
        "a partition is one ordered log: while the poison record's dead letter cannot be written, the records behind it on its partition wait, and FC4 requires them to flow",
    },
  },
});
