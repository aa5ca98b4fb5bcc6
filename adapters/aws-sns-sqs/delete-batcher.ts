import { DeleteMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";

interface Pending {
  readonly receiptHandle: string;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Acks (deletes) collected within one turn of the event loop go out as one
 * DeleteMessageBatch of up to 10, so a busy consumer makes a tenth of the calls. Each ack
 * still settles on its own, with its own error when its entry failed.
 */
export class DeleteBatcher {
  private pending: Pending[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  delete(receiptHandle: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ receiptHandle, resolve, reject });
      if (this.pending.length >= 10) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every delete asked for so far has been answered. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, 10);
      const sent = this.send(batch).finally(() => this.inFlight.delete(sent));
      this.inFlight.add(sent);
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    try {
      const result = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((entry, index) => ({ Id: String(index), ReceiptHandle: entry.receiptHandle })),
        }),
      );
      const failed = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
      batch.forEach((entry, index) => {
        const failure = failed.get(String(index));
        if (failure) entry.reject(new Error(`${failure.Code ?? "DeleteFailed"}: ${failure.Message ?? "no message"}`));
        else entry.resolve();
      });
    } catch (error) {
      for (const entry of batch) entry.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
