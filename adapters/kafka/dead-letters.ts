import { setTimeout as sleep } from "node:timers/promises";
import type { DeadLetter } from "../core/message.js";
import type { KafkaConsumerLike } from "./client.js";
import { fromDeadLetterRecord } from "./envelope.js";

export interface DeadLetterRead {
  /** A consumer in the dead-letter topic's reader group, not yet connected. */
  readonly consumer: KafkaConsumerLike;
  readonly deadLetterTopic: string;
  /** The topic the messages were first published to, as the caller names it. */
  readonly topic: string;
  readonly max: number;
  /** How long to wait for `max` letters once the reader has its partitions. */
  readonly waitMs: number;
  readonly joinTimeoutMs: number;
}

/**
 * Reads up to `max` records of a dead-letter topic through a reader group, committing each
 * one taken, so the next call continues after it. Records past `max` stay uncommitted.
 */
export async function readDeadLetters<T>(read: DeadLetterRead): Promise<DeadLetter<T>[]> {
  const { consumer, deadLetterTopic, topic, max } = read;
  const letters: DeadLetter<T>[] = [];
  let enough!: () => void;
  const full = new Promise<void>((resolve) => {
    enough = resolve;
  });
  let joined!: () => void;
  const assigned = new Promise<void>((resolve) => {
    joined = resolve;
  });
  const stopListening = consumer.on("consumer.group_join", () => joined());
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [deadLetterTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (letters.length >= max) return;
        letters.push(fromDeadLetterRecord<T>(topic, partition, message));
        const next = (BigInt(message.offset) + 1n).toString();
        await consumer.commitOffsets([{ topic: deadLetterTopic, partition, offset: next }]);
        if (letters.length >= max) enough();
      },
    });
    await Promise.race([assigned, sleep(read.joinTimeoutMs, undefined, { ref: false })]);
    await Promise.race([full, sleep(read.waitMs, undefined, { ref: false })]);
  } finally {
    stopListening();
    await consumer.disconnect().catch(() => undefined);
  }
  return letters.slice(0, max);
}
