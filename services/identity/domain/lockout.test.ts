import { describe, expect, it } from "vitest";
import {
  afterFailure,
  FREE_FAILURES,
  FRESH,
  LOCKOUT_MS,
  MAX_FAILED_LOGINS,
  type ThrottleState,
  waitMs,
} from "./lockout.js";

const start = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(start.getTime() + ms);

describe("sign-in throttle", () => {
  it("lets the first failures through, then doubles the wait, then locks for LOCKOUT_MS", () => {
    let state: ThrottleState = FRESH;
    const waits: number[] = [];
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      state = afterFailure(state, start);
      waits.push(waitMs(state, start));
    }
    expect(waits.slice(0, FREE_FAILURES)).toEqual([0, 0]);
    expect(waits.slice(FREE_FAILURES, -1)).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(waits.at(-1)).toBe(LOCKOUT_MS);
    expect(waitMs(state, at(LOCKOUT_MS - 1))).toBe(1);
    expect(waitMs(state, at(LOCKOUT_MS))).toBe(0);
  });

  it("starts a fresh count after a quiet LOCKOUT_MS", () => {
    const state = afterFailure({ failures: MAX_FAILED_LOGINS, lastFailureAt: start }, at(LOCKOUT_MS));
    expect(state).toEqual({ failures: 1, lastFailureAt: at(LOCKOUT_MS) });
  });
});
