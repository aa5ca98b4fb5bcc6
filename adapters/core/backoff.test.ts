import { describe, expect, it } from "vitest";
import { retryDelayMs } from "./backoff.js";

describe("retryDelayMs", () => {
  it("grows exponentially within the jitter band and stops at the cap", () => {
    const low = () => 0;
    const high = () => 1;
    expect(retryDelayMs(1, { initialMs: 100 }, high)).toBe(100);
    expect(retryDelayMs(1, { initialMs: 100 }, low)).toBe(50);
    expect(retryDelayMs(3, { initialMs: 100 }, high)).toBe(400);
    expect(retryDelayMs(30, { initialMs: 100, maxMs: 1_000 }, high)).toBe(1_000);
  });
});
