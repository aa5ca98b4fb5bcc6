import { DeleteMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { TurnBatcher } from "../core/turn-batcher.js";

/**
 * Acks (deletes) collected within one turn of the event loop go out as one
 * DeleteMessageBatch of up to 10, so a busy consumer makes a tenth of the calls. Each ack
 * still settles on its own, with its own error when its entry failed.
 */
export class DeleteBatcher {
  private readonly batcher: TurnBatcher<string>;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.batcher = new TurnBatcher<string>(10, async (receiptHandles) => {
      const result = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: receiptHandles.map((handle, index) => ({ Id: String(index), ReceiptHandle: handle })),
        }),
      );
      const failed = new Map((result.Failed ?? []).map((entry) => [entry.Id, entry]));
      return receiptHandles.map((_, index) => {
        const failure = failed.get(String(index));
        return failure && new Error(`${failure.Code ?? "DeleteFailed"}: ${failure.Message ?? "no message"}`);
      });
    });
  }

  delete(receiptHandle: string): Promise<void> {
    return this.batcher.add(receiptHandle);
  }

  /** Resolves once every delete asked for so far has been answered. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }
}
