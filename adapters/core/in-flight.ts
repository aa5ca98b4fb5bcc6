/**
 * Work an adapter has started and must see settle before `close()` returns: publishes on
 * their way to the broker, handlers still running. Settled work leaves the set by itself.
 */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  get size(): number {
    return this.work.size;
  }

  /** Adds `work` until it settles and returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    const forget = () => this.work.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Resolves once everything tracked has settled, including work added while waiting. */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }
}
