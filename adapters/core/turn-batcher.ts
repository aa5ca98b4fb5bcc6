/** Sends one call for many entries; resolves to each entry's error (or nothing) in entry order. */
export type BatchSend<E> = (entries: readonly E[]) => Promise<readonly (Error | undefined)[] | undefined>;

interface Pending<E> {
  readonly entry: E;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Collects the entries asked for within one turn of the event loop (acks, deletes) and sends
 * them as one call of up to `maxPerCall`, so a busy consumer makes a fraction of the calls.
 * Each entry still settles on its own: with its own error where the call reports one, or
 * with the call's error when the whole call failed.
 */
export class TurnBatcher<E> {
  private pending: Pending<E>[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly maxPerCall: number,
    private readonly send: BatchSend<E>,
  ) {}

  add(entry: E): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length >= this.maxPerCall) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every entry added so far has been answered. */
  async drain(): Promise<void> {
    this.flush();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxPerCall);
      const sent = this.sendBatch(batch).finally(() => this.inFlight.delete(sent));
      this.inFlight.add(sent);
    }
  }

  private async sendBatch(batch: Pending<E>[]): Promise<void> {
    try {
      const errors = await this.send(batch.map((pending) => pending.entry));
      batch.forEach((pending, index) => {
        const error = errors?.[index];
        if (error) pending.reject(error);
        else pending.resolve();
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
