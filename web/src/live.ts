import { session } from "./api/session.ts";

/**
 * Reads a Server-Sent Events stream with the access token in a header (`EventSource` cannot
 * send one) and reconnects after a drop with `Last-Event-ID`, so nothing in between is lost.
 */

export interface LiveFrame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: unknown;
}

export interface LiveOptions {
  onFrame(frame: LiveFrame): void;
  /** True while connected; false while waiting to reconnect. */
  onStatus?(connected: boolean): void;
}

export function openLive(path: string, options: LiveOptions): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let retryMs = 2000;

  const connect = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: "text/event-stream" };
        const token = session.token();
        if (token) headers.authorization = `Bearer ${token}`;
        if (lastId) headers["last-event-id"] = lastId;
        const res = await fetch(path, { headers, signal: abort.signal });
        if (res.status === 401 && (await session.refresh())) continue;
        if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
        options.onStatus?.(true);
        await read(res.body);
      } catch {
        if (abort.signal.aborted) return;
      }
      options.onStatus?.(false);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };

  async function read(body: ReadableStream<Uint8Array>) {
    const reader = body
      .pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>)
      .getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
      }
    }
  }

  function dispatch(block: string) {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "retry" && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (data.length === 0) return;
    if (id !== undefined) lastId = id;
    options.onFrame({ id, event, data: JSON.parse(data.join("\n")) });
  }

  void connect();
  return () => abort.abort();
}
