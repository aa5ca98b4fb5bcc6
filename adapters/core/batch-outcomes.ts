import type { BatchPublishResult, OutgoingMessage, PublishReceipt } from "./message.js";

/**
 * Collects the outcome of each entry of a `publishBatch`, in whatever order the sends
 * settle, and reports them in index order, as the contract promises. A failed entry keeps
 * the id the caller chose or the adapter generated; without one it has no `id` at all.
 */
export class BatchOutcomes {
  private readonly published: { index: number; id: string }[] = [];
  private readonly failed: { index: number; id?: string; error: Error }[] = [];

  succeeded(index: number, id: string): void {
    this.published.push({ index, id });
  }

  failedWith(index: number, id: string | undefined, error: unknown): void {
    const cause = error instanceof Error ? error : new Error(String(error));
    this.failed.push(id === undefined ? { index, error: cause } : { index, id, error: cause });
  }

  /** Records one settled `publish` per message; entry `i` of `outcomes` is batch index `offset + i`. */
  settled(
    outcomes: readonly PromiseSettledResult<PublishReceipt>[],
    messages: readonly Pick<OutgoingMessage, "id">[],
    offset = 0,
  ): void {
    outcomes.forEach((outcome, position) => {
      const index = offset + position;
      if (outcome.status === "fulfilled") this.succeeded(index, outcome.value.id);
      else this.failedWith(index, messages[position]?.id, outcome.reason);
    });
  }

  result(): BatchPublishResult {
    this.published.sort((a, b) => a.index - b.index);
    this.failed.sort((a, b) => a.index - b.index);
    return { published: this.published, failed: this.failed };
  }
}
