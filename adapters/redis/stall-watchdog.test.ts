import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type WatchedClient, watchStalls } from "./stall-watchdog.js";

type Command = { isSettled: boolean };

function fakeClient() {
  const queue: { command: Command }[] = [];
  const destroyed: string[] = [];
  const client: WatchedClient = {
    commandQueue: {
      get length() {
        return queue.length;
      },
      peekBack: () => queue[queue.length - 1],
    },
    stream: { destroy: (error?: Error) => destroyed.push(error?.message ?? "") },
  };
  const send = () => {
    const command = { isSettled: false };
    queue.push({ command });
    return command;
  };
  const answer = () => {
    const item = queue.shift();
    if (item) item.command.isSettled = true;
  };
  return { client, send, answer, destroyed };
}

describe("redis stall watchdog", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("destroys the socket when a command waits past the timeout, and no later than that", () => {
    const { client, send, destroyed } = fakeClient();
    const stop = watchStalls(client, 200);
    vi.advanceTimersByTime(1);
    send();
    vi.advanceTimersByTime(198);
    expect(destroyed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(destroyed).toEqual(["no reply from Redis within 200 ms"]);
    stop();
  });

  it("leaves a busy but answering connection alone", () => {
    const { client, send, answer, destroyed } = fakeClient();
    const stop = watchStalls(client, 200);
    for (let ms = 0; ms < 2_000; ms += 10) {
      send();
      send();
      vi.advanceTimersByTime(10);
      answer();
      answer();
    }
    expect(destroyed).toEqual([]);
    stop();
  });

  it("stops watching when stopped", () => {
    const { client, send, destroyed } = fakeClient();
    const stop = watchStalls(client, 100);
    send();
    stop();
    vi.advanceTimersByTime(1_000);
    expect(destroyed).toEqual([]);
  });
});
