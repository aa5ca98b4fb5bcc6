import type { v1 } from "@google-cloud/pubsub";

/** Ack ids per Acknowledge call; Pub/Sub caps a request at 512 KiB, far above this many ids. */
const MAX_IDS = 500;

interface Pending {
  readonly ackId: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Acks made within one turn of the event loop go out as one Acknowledge call, so a busy
 * consumer makes a fraction of the calls; each ack still settles on its own.
 */
export class AckBatcher {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: v1.SubscriberClient,
    private readonly subscription: string,
  ) {}

  ack(ackId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ackId, resolve, reject });
      if (this.pending.length >= MAX_IDS) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_IDS);
      const sent: Promise<void> = this.client
        .acknowledge({ subscription: this.subscription, ackIds: batch.map((entry) => entry.ackId) })
        .then(
          () => {
            for (const entry of batch) entry.resolve();
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error instanceof Error ? error : new Error(String(error)));
          },
        )
        .finally(() => this.inFlight.delete(sent));
      this.inFlight.add(sent);
    }
  }
}
