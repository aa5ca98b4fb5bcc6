/**
 * Wakes the live streams of a user when a notification for them is stored. The hub carries no
 * data: a woken stream reads what is new from the database, after the id it last sent, so a
 * notification stored by another instance (or while the client was away) is never skipped;
 * the periodic wake-up of each stream picks those up.
 */
export interface NotificationHub {
  /** Registers a waker for `userId`; returns the function that removes it. */
  listen(userId: string, wake: () => void): () => void;
  notify(userId: string): void;
  /** Streams open now, for metrics and tests. */
  readonly size: number;
}

export function createNotificationHub(): NotificationHub {
  const listeners = new Map<string, Set<() => void>>();
  let size = 0;
  return {
    listen(userId, wake) {
      let set = listeners.get(userId);
      if (!set) {
        set = new Set();
        listeners.set(userId, set);
      }
      set.add(wake);
      size++;
      return () => {
        if (set.delete(wake)) size--;
        if (set.size === 0) listeners.delete(userId);
      };
    },
    notify(userId) {
      for (const wake of listeners.get(userId) ?? []) wake();
    },
    get size() {
      return size;
    },
  };
}
