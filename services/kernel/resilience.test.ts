import { BrokenCircuitError, TaskCancelledError } from "cockatiel";
import { describe, expect, it } from "vitest";
import { createUpstreamPolicy } from "./resilience.js";

const failing = (times: number) => {
  let calls = 0;
  return {
    calls: () => calls,
    run: async () => {
      calls += 1;
      if (calls <= times) throw new Error(`failure ${calls}`);
      return "ok";
    },
  };
};

describe("upstream policy", () => {
  it("retries an idempotent call with backoff, and never retries one that is not", async () => {
    const policy = createUpstreamPolicy("test", { retries: 2, initialDelayMs: 5 });
    const idempotent = failing(2);
    expect(await policy.execute(idempotent.run, { idempotent: true })).toBe("ok");
    expect(idempotent.calls()).toBe(3);
    const once = failing(1);
    await expect(policy.execute(once.run)).rejects.toThrow("failure 1");
    expect(once.calls()).toBe(1);
  });

  it("times out a slow attempt and aborts its signal", async () => {
    const policy = createUpstreamPolicy("slow", { timeoutMs: 30, retries: 0 });
    let aborted = false;
    await expect(
      policy.execute(
        (signal) =>
          new Promise((resolve) => {
            signal.addEventListener("abort", () => {
              aborted = true;
            });
            setTimeout(resolve, 500);
          }),
      ),
    ).rejects.toBeInstanceOf(TaskCancelledError);
    expect(aborted).toBe(true);
  });

  it("opens the circuit after consecutive failures, fails fast, then lets a trial call through", async () => {
    const policy = createUpstreamPolicy("flaky", { breakerThreshold: 3, halfOpenAfterMs: 50, retries: 0 });
    const down = failing(100);
    for (let i = 0; i < 3; i++) await expect(policy.execute(down.run)).rejects.toThrow();
    expect(policy.state).toBe("open");
    await expect(policy.execute(down.run)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(down.calls()).toBe(3);
    await new Promise((r) => setTimeout(r, 60));
    expect(await policy.execute(async () => "recovered")).toBe("recovered");
    expect(policy.state).toBe("closed");
  });

  it("answers an open circuit at once, without retrying it", async () => {
    const policy = createUpstreamPolicy("down", { breakerThreshold: 1, halfOpenAfterMs: 10_000, initialDelayMs: 500 });
    const down = failing(100);
    await expect(policy.execute(down.run)).rejects.toThrow("failure 1");
    const started = Date.now();
    await expect(policy.execute(down.run, { idempotent: true })).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(Date.now() - started).toBeLessThan(200);
    expect(down.calls()).toBe(1);
  });

  it("leaves the signal of an attempt that returned in time alone", async () => {
    const policy = createUpstreamPolicy("fast", { timeoutMs: 1_000, retries: 0 });
    let signal: AbortSignal | undefined;
    await policy.execute(async (s) => {
      signal = s;
      return "done";
    });
    expect(signal?.aborted).toBe(false);
  });
});
