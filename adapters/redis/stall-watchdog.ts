/**
 * Bounds every Redis call by the timeout without a timer per command, which on the hot path
 * costs more than a pipelined GET itself spends in the client.
 *
 * Every `timeoutMs / 4` the watchdog remembers the newest command in the client's queue.
 * Three ticks later, if that command is still unanswered, every command issued before the
 * mark was taken has waited at least three ticks and the newest possible one at most four,
 * that is at most `timeoutMs`: the watchdog destroys the socket, the client rejects every
 * pending command at once and reconnects in the background.
 */

/** The parts of an ioredis client the watchdog reads; an interface so it can be tested alone. */
export interface WatchedClient {
  readonly commandQueue: {
    readonly length: number;
    /** ioredis types the command loosely; at run time it is a `Command` with `isSettled`. */
    peekBack(): { readonly command: object } | undefined;
  };
  readonly stream?: { destroy(error?: Error): void } | undefined;
}

const TICKS = 4;

export function watchStalls(client: WatchedClient, timeoutMs: number): () => void {
  const tickMs = Math.max(1, Math.floor(timeoutMs / TICKS));
  // marks[i] is the newest command seen at one of the last TICKS - 1 ticks.
  const marks: (object | undefined)[] = new Array(TICKS - 1).fill(undefined);
  let tick = 0;
  const timer = setInterval(() => {
    const slot = tick++ % marks.length;
    const oldest = marks[slot];
    const queue = client.commandQueue;
    if (oldest && (oldest as { isSettled?: boolean }).isSettled === false) {
      marks.fill(undefined);
      client.stream?.destroy(new Error(`no reply from Redis within ${timeoutMs} ms`));
      return;
    }
    marks[slot] = queue.length > 0 ? queue.peekBack()?.command : undefined;
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
