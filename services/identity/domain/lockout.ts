/**
 * Throttling of failed sign-ins, per account and client (docs/design.md, domain), rather than
 * a lockout per account alone, which lets anyone lock anyone out. The state is kept per normalised
 * email and client address, whether or not the email has an account, so that the answers
 * cannot tell which emails exist. The first failures are free; then each guess must wait
 * twice as long as the one before (1 s, 2 s, 4 s, ...), and after `MAX_FAILED_LOGINS` that
 * client is locked out of that account for `LOCKOUT_MS`. Every other client is unaffected. A
 * success, or a quiet `LOCKOUT_MS`, starts a fresh count.
 */

/** Failures before any wait. */
export const FREE_FAILURES = 2;
/** Failures after which the client is locked out of the account. */
export const MAX_FAILED_LOGINS = 8;
export const LOCKOUT_MS = 15 * 60 * 1000;

export interface ThrottleState {
  readonly failures: number;
  readonly lastFailureAt: Date | null;
}

export const FRESH: ThrottleState = { failures: 0, lastFailureAt: null };

const stale = (state: ThrottleState, now: Date) =>
  state.lastFailureAt === null || now.getTime() - state.lastFailureAt.getTime() >= LOCKOUT_MS;

/** How long the client must wait before its next attempt; 0 when it may try now. */
export function waitMs(state: ThrottleState, now: Date): number {
  if (stale(state, now) || state.failures <= FREE_FAILURES) return 0;
  const last = state.lastFailureAt!.getTime();
  const wait = state.failures >= MAX_FAILED_LOGINS ? LOCKOUT_MS : 1000 * 2 ** (state.failures - FREE_FAILURES - 1);
  return Math.max(0, last + wait - now.getTime());
}

/** The state after one more attempt that is counted as failed (until it succeeds). */
export function afterFailure(state: ThrottleState, now: Date): ThrottleState {
  return { failures: (stale(state, now) ? 0 : state.failures) + 1, lastFailureAt: now };
}
