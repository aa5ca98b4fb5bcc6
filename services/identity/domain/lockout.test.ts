import { describe, expect, it } from "vitest";
import { afterFailedLogin, afterSuccessfulLogin, isLocked, LOCKOUT_MS, type LockoutState } from "./lockout.js";

const start = new Date("2026-01-01T00:00:00Z");
const at = (ms: number) => new Date(start.getTime() + ms);

describe("lockout", () => {
  it("locks on the fifth failure for 30 minutes, then lifts itself", () => {
    let state: LockoutState = { failedLogins: 0, lockedUntil: null };
    for (let i = 0; i < 4; i++) state = afterFailedLogin(state, start);
    expect(isLocked(state, start)).toBe(false);
    state = afterFailedLogin(state, start);
    expect(isLocked(state, start)).toBe(true);
    expect(isLocked(state, at(LOCKOUT_MS - 1))).toBe(true);
    expect(isLocked(state, at(LOCKOUT_MS))).toBe(false);
  });

  it("starts a fresh count after an expired lock and after a success", () => {
    let state: LockoutState = { failedLogins: 5, lockedUntil: at(LOCKOUT_MS) };
    state = afterFailedLogin(state, at(LOCKOUT_MS + 1));
    expect(state).toEqual({ failedLogins: 1, lockedUntil: null });
    expect(afterSuccessfulLogin()).toEqual({ failedLogins: 0, lockedUntil: null });
  });
});
