import type { Response } from "express";

/** Server-Sent Events helpers shared by every live stream (notifications, boards). */

/** One frame (the `id` is what a client sends back as `Last-Event-ID`). */
export function sseFrame(event: { id?: string; event?: string; data: unknown }): string {
  const lines: string[] = [];
  if (event.id !== undefined) lines.push(`id: ${event.id}`);
  if (event.event !== undefined) lines.push(`event: ${event.event}`);
  for (const line of JSON.stringify(event.data).split("\n")) lines.push(`data: ${line}`);
  return `${lines.join("\n")}\n\n`;
}

/** Starts an event stream: no caching, no proxy buffering, and a 2 s reconnect delay. */
export function openEventStream(res: Response): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write(`retry: 2000\n: connected\n\n`);
}

/** The cursor a reconnecting client asks for (`Last-Event-ID`, or `lastEventId` in the query). */
export function lastEventId(headers: Record<string, unknown>, query: Record<string, unknown>): string | undefined {
  const asked = headers["last-event-id"] ?? query.lastEventId;
  return typeof asked === "string" && /^\d{1,18}$/.test(asked) ? asked : undefined;
}

export interface StreamSource {
  /** Frames after `cursor`, in order; a full page (`pageSize`) means more may follow. */
  read(cursor: string): Promise<readonly { id: string; event: string; data: unknown }[]>;
  readonly pageSize: number;
  /** Registers a waker called when something new may be there; returns its remover. */
  listen(wake: () => void): () => void;
  /** A comment frame and a catch-up read every so often (what other instances stored). */
  readonly heartbeatMs: number;
}

/**
 * Serves frames after `cursor` until the client leaves. Wake-ups that arrive while a read is
 * running coalesce into one more read, so frames go out once each and in order.
 */
export async function pumpEventStream(res: Response, cursor: string, source: StreamSource): Promise<void> {
  let closed = false;
  let pumping: Promise<void> | undefined;
  let again = false;
  const pump = (): Promise<void> => {
    if (pumping) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        again = false;
        const fresh = await source.read(cursor);
        for (const frame of fresh) {
          if (closed) return;
          res.write(sseFrame(frame));
          cursor = frame.id;
        }
        if (fresh.length >= source.pageSize) again = true;
      } while (again && !closed);
    })().finally(() => {
      pumping = undefined;
    });
    return pumping;
  };
  const stopListening = source.listen(() => {
    pump().catch(() => {});
  });
  const heartbeat = setInterval(() => {
    res.write(": keep-alive\n\n");
    pump().catch(() => {});
  }, source.heartbeatMs);
  res.on("close", () => {
    closed = true;
    clearInterval(heartbeat);
    stopListening();
  });
  await pump();
}
