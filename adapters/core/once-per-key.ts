/**
 * Remembers, per key, one piece of work that must happen once (creating a topic, looking up
 * a queue, giving a consumer group its start offsets), so that concurrent callers share it.
 * A failure is forgotten at once: the next caller starts the work again, since the cause
 * (a topic not there yet, a broker restarting) may have gone.
 */
export class OncePerKey<T> {
  private readonly known = new Map<string, Promise<T>>();

  /** The work already started for `key`, or what `start()` begins now. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    const known = this.known.get(key);
    if (known) return known;
    const started = start().catch((error: unknown) => {
      this.known.delete(key);
      throw error;
    });
    this.known.set(key, started);
    return started;
  }

  /** Forgets `key`, so the next `run` does the work again (the thing was deleted). */
  forget(key: string): void {
    this.known.delete(key);
  }

  /** Forgets every key (the connection was replaced and may have lost what was done). */
  clear(): void {
    this.known.clear();
  }
}
