/**
 * Lockout after repeated failed logins (docs/design.md, domain): the fifth consecutive failure locks the
 * account for 30 minutes; a success resets the count; a lock that has run out lifts itself.
 */

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 30 * 60 * 1000;

export interface LockoutState {
  readonly failedLogins: number;
  readonly lockedUntil: Date | null;
}

export function isLocked(state: LockoutState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/** The state after a wrong password. A lock that has expired starts a fresh count. */
export function afterFailedLogin(state: LockoutState, now: Date): LockoutState {
  const expired = state.lockedUntil !== null && state.lockedUntil.getTime() <= now.getTime();
  const failedLogins = (expired ? 0 : state.failedLogins) + 1;
  if (failedLogins >= MAX_FAILED_LOGINS) {
    return { failedLogins, lockedUntil: new Date(now.getTime() + LOCKOUT_MS) };
  }
  return { failedLogins, lockedUntil: expired ? null : state.lockedUntil };
}

export function afterSuccessfulLogin(): LockoutState {
  return { failedLogins: 0, lockedUntil: null };
}
