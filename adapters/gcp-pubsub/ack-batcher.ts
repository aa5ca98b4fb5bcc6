import type { v1 } from "@google-cloud/pubsub";
import { TurnBatcher } from "../core/turn-batcher.js";

/** Ack ids per Acknowledge call; Pub/Sub caps a request at 512 KiB, far above this many ids. */
const MAX_IDS = 500;

/**
 * Acks made within one turn of the event loop go out as one Acknowledge call, so a busy
 * consumer makes a fraction of the calls; each ack still settles on its own.
 */
export class AckBatcher {
  private readonly batcher: TurnBatcher<string>;

  constructor(client: v1.SubscriberClient, subscription: string) {
    this.batcher = new TurnBatcher<string>(MAX_IDS, async (ackIds) => {
      await client.acknowledge({ subscription, ackIds: [...ackIds] });
      return undefined;
    });
  }

  ack(ackId: string): Promise<void> {
    return this.batcher.add(ackId);
  }

  drain(): Promise<void> {
    return this.batcher.drain();
  }
}
