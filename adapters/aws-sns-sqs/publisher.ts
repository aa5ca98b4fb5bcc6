import { PublishBatchCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { BrokerCapabilities } from "../core/capabilities.js";
import { MessageTooLargeError, type TaskflowError } from "../core/errors.js";
import type { OutgoingMessage } from "../core/message.js";
import { validateOutgoing } from "../core/validate.js";
import { chunkBatch, SNS_BATCH_MAX_ENTRIES, SNS_MAX_PAYLOAD_BYTES } from "./batching.js";
import { type Attributes, encodeAttributes, encodedSize, safeJson } from "./envelope.js";
import { deduplicationId, messageGroupId } from "./fifo.js";
import { batchEntryError, COMPONENT, mapPublishError } from "./provider-errors.js";

/** A message checked and encoded for SNS, before any network call. */
export interface Prepared {
  readonly index: number;
  readonly id: string;
  readonly key: string | undefined;
  readonly body: string;
  readonly attributes: Attributes;
  readonly bytes: number;
}

/** Checks a message against the declared limits and SNS's exact one, and encodes it. */
export function prepareMessage(capabilities: BrokerCapabilities, message: OutgoingMessage, index: number): Prepared {
  validateOutgoing(COMPONENT, capabilities, message);
  const id = message.id ?? crypto.randomUUID();
  const body = safeJson(message.body);
  const attributes = encodeAttributes({ id, key: message.key, publishedAt: new Date() }, message.headers ?? {});
  const bytes = encodedSize(body, attributes);
  if (bytes > SNS_MAX_PAYLOAD_BYTES) throw new MessageTooLargeError(COMPONENT, bytes, SNS_MAX_PAYLOAD_BYTES);
  return { index, id, key: message.key, body, attributes, bytes };
}

/** PublishBatch calls at once per client; below the SDK's 50 sockets, so none waits for one. */
const MAX_CALLS_IN_FLIGHT = 32;

/** `undefined` when the entry was published, else why not. */
export type EntryOutcome = TaskflowError | undefined;

interface Waiting {
  readonly prepared: Prepared;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Sends to SNS in PublishBatch calls. Single publishes made within one turn of the event
 * loop to the same topic share a call (up to 10 entries and 256 KiB), so a burst of
 * `publish()` costs a tenth of the calls; each still settles on its own entry's outcome.
 * Entries keep their order within a call, which FIFO topics preserve per message group.
 */
export class SnsPublisher {
  private readonly waiting = new Map<string, { topic: string; entries: Waiting[] }>();
  private scheduled = false;
  /** Calls queued behind the in-flight limit, so a burst waits here rather than in the HTTP agent. */
  private readonly queuedCalls: (() => void)[] = [];
  private callsInFlight = 0;

  constructor(
    private readonly sns: SNSClient,
    private readonly fifo: boolean,
  ) {}

  publish(topic: string, arn: string, prepared: Prepared): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(arn) ?? { topic, entries: [] };
      this.waiting.set(arn, queue);
      queue.entries.push({ prepared, resolve, reject });
      if (queue.entries.length >= SNS_BATCH_MAX_ENTRIES) this.flushTopic(arn);
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Publishes `entries` (at most 10, within 256 KiB) in one call; one outcome per entry, in order. */
  async sendBatch(topic: string, arn: string, entries: readonly Prepared[]): Promise<EntryOutcome[]> {
    if (this.callsInFlight >= MAX_CALLS_IN_FLIGHT) {
      await new Promise<void>((resolve) => this.queuedCalls.push(resolve));
    }
    this.callsInFlight++;
    try {
      const result = await this.sns.send(
        new PublishBatchCommand({
          TopicArn: arn,
          PublishBatchRequestEntries: entries.map((entry, position) => ({
            Id: String(position),
            Message: entry.body,
            MessageAttributes: entry.attributes,
            ...this.fifoFields(entry),
          })),
        }),
      );
      const outcomes: EntryOutcome[] = entries.map(() => undefined);
      const answered = new Set((result.Successful ?? []).map((ok) => ok.Id));
      for (const bad of result.Failed ?? []) {
        answered.add(bad.Id);
        outcomes[Number(bad.Id)] = batchEntryError(topic, bad.Code, bad.Message);
      }
      entries.forEach((_, position) => {
        if (!answered.has(String(position))) {
          outcomes[position] = batchEntryError(topic, "NoAnswer", "SNS reported neither success nor failure");
        }
      });
      return outcomes;
    } catch (error) {
      const mapped = mapPublishError(topic, error);
      return entries.map(() => mapped);
    } finally {
      this.callsInFlight--;
      this.queuedCalls.shift()?.();
    }
  }

  private flush(): void {
    this.scheduled = false;
    for (const arn of [...this.waiting.keys()]) this.flushTopic(arn);
  }

  private flushTopic(arn: string): void {
    const queue = this.waiting.get(arn);
    if (!queue) return;
    this.waiting.delete(arn);
    const sized = queue.entries.map((entry, index) => ({ index, bytes: entry.prepared.bytes, entry }));
    for (const chunk of chunkBatch(sized)) {
      const entries = chunk.map((item) => item.entry);
      void this.sendBatch(
        queue.topic,
        arn,
        entries.map((entry) => entry.prepared),
      ).then((outcomes) => {
        outcomes.forEach((outcome, position) => {
          const entry = entries[position]!;
          if (outcome) entry.reject(outcome);
          else entry.resolve();
        });
      });
    }
  }

  private fifoFields(entry: Prepared): { MessageGroupId?: string; MessageDeduplicationId?: string } {
    if (!this.fifo) return {};
    return { MessageGroupId: messageGroupId(entry.key, entry.id), MessageDeduplicationId: deduplicationId(entry.id) };
  }
}
