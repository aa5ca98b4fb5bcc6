import { describe, expect, it } from "vitest";
import { until } from "../testing/broker-collector.js";
import { PullLoop, type PullLoopSettings } from "./pull-loop.js";

/** A queue of numbered messages behind a PullLoop whose handlers take `workMs` each. */
function harness(
  total: number,
  maxConcurrency: number,
  workMs: number,
  overrides: Partial<PullLoopSettings<number>> = {},
) {
  const queue = Array.from({ length: total }, (_, index) => index);
  const handled: number[] = [];
  const givenBack: number[] = [];
  const errors: Error[] = [];
  const asked: number[] = [];
  let running = 0;
  let peak = 0;
  let stopped = false;
  const loop: PullLoop<number> = new PullLoop<number>({
    component: "test",
    maxConcurrency,
    pollers: 2,
    maxPerReceive: 10,
    receive: async (count) => {
      asked.push(count);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return queue.splice(0, count);
    },
    receiveFailure: 'cannot receive from subscription "s"',
    dispatch: (messages) => {
      for (const message of messages) {
        loop.track(
          (async () => {
            running++;
            peak = Math.max(peak, running);
            await new Promise((resolve) => setTimeout(resolve, workMs));
            running--;
            handled.push(message);
          })(),
        );
      }
    },
    giveBack: async (messages) => {
      givenBack.push(...messages);
    },
    afterStop: async () => {
      stopped = true;
    },
    onError: (error) => errors.push(error),
    ...overrides,
  });
  return { loop, queue, handled, givenBack, errors, asked, peak: () => peak, stopped: () => stopped };
}

describe("PullLoop", () => {
  it("handles every message without ever running more than maxConcurrency at once", async () => {
    const h = harness(60, 4, 5);
    h.loop.start();
    await until(() => h.handled.length === 60, 3_000, "all 60 handled");
    await h.loop.close();
    expect(h.peak()).toBeLessThanOrEqual(4);
    expect(h.asked.every((count) => count <= 4)).toBe(true);
  });

  it("close waits for running handlers and runs afterStop once", async () => {
    const h = harness(3, 3, 100);
    h.loop.start();
    await until(() => h.queue.length === 0, 1_000, "the messages received");
    const closing = [h.loop.close(), h.loop.close()];
    expect(h.loop.signal.aborted).toBe(true);
    await Promise.all(closing);
    expect(h.handled.sort()).toEqual([0, 1, 2]);
    expect(h.stopped()).toBe(true);
  });

  it("gives back what a receive brings after close began, instead of handling it", async () => {
    const h = harness(4, 4, 1, {
      receive: async (count) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return h.queue.splice(0, count);
      },
    });
    h.loop.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await h.loop.close();
    expect(h.handled).toEqual([]);
    expect(h.givenBack.sort()).toEqual([0, 1, 2, 3]);
  });

  it("reports a failed receive with the adapter's name and keeps polling", async () => {
    let failures = 0;
    const h = harness(5, 2, 1, {
      receive: async () => {
        failures++;
        throw new Error("connection refused");
      },
    });
    h.loop.start();
    await until(() => h.errors.length > 0, 1_000, "a receive error reported");
    await h.loop.close();
    expect(h.errors[0]?.message).toBe('[taskflow] [test] cannot receive from subscription "s": connection refused');
    expect(failures).toBeGreaterThan(0);
  });

  it("runHandler reports deadLetter's first reason and a throw, and aborts the delivery on close", async () => {
    const h = harness(0, 1, 1);
    const message = { id: "m", topic: "t", key: undefined, headers: {}, body: 1, attempt: 1, publishedAt: new Date() };
    const dead = await h.loop.runHandler(
      (_m, context) => {
        context.deadLetter("first");
        context.deadLetter("second");
      },
      message,
      new AbortController(),
    );
    expect(dead).toEqual({ reason: "first", failed: false, failure: undefined });
    const boom = new Error("boom");
    const thrown = await h.loop.runHandler(
      () => {
        throw boom;
      },
      message,
      new AbortController(),
    );
    expect(thrown).toEqual({ reason: undefined, failed: true, failure: boom });
    let aborted = false;
    const delivery = new AbortController();
    const running = h.loop.runHandler(
      async (_m, context) => {
        await new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }));
        aborted = context.signal.aborted;
      },
      message,
      delivery,
    );
    await h.loop.close();
    await running;
    expect(aborted).toBe(true);
  });
});
