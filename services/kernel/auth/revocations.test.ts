import { afterEach, describe, expect, it, vi } from "vitest";
import { createRevocationPoller, type RevocationList, type RevocationSource } from "./revocations.js";

const later = (ms: number) => new Date(Date.now() + ms).toISOString();
const list = (over: Partial<RevocationList> = {}): RevocationList => ({
  asOf: new Date().toISOString(),
  complete: true,
  sessions: [],
  keys: [],
  ...over,
});

describe("revocation poller", () => {
  const pollers: { close(): void }[] = [];
  afterEach(() => {
    for (const poller of pollers.splice(0)) poller.close();
    vi.useRealTimers();
  });
  const start = (source: RevocationSource) => {
    const poller = createRevocationPoller({ source, intervalMs: 60_000 });
    pollers.push(poller);
    return poller;
  };

  it("refuses listed sessions and keys until their entry runs out, and asks from a little before the last answer", async () => {
    const asked: (Date | undefined)[] = [];
    const poller = start(async (since) => {
      asked.push(since);
      return list({ sessions: [{ id: "s1", until: later(60_000) }], keys: [{ id: "k1", until: later(60_000) }] });
    });
    await poller.sync();
    expect(poller.revoked({ sessionId: "s1" })).toBe("session");
    expect(poller.revoked({ apiKeyId: "k1" })).toBe("key");
    expect(poller.revoked({ sessionId: "s2", apiKeyId: "k2" })).toBeUndefined();
    expect(asked[0]).toBeUndefined();
    await poller.sync();
    expect(asked.at(-1)!.getTime()).toBeLessThan(Date.now() - 29_000);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(poller.revoked({ sessionId: "s1" })).toBeUndefined();
  });

  it("follows a cut answer to its end, and keeps the last list while the source fails", async () => {
    let calls = 0;
    let failing = false;
    const poller = start(async () => {
      if (failing) throw new Error("connect ECONNREFUSED");
      calls++;
      return calls === 1
        ? list({ complete: false, sessions: [{ id: "a", until: later(60_000) }] })
        : list({ sessions: [{ id: "b", until: later(60_000) }] });
    });
    await poller.sync();
    expect(poller.revoked({ sessionId: "a" })).toBe("session");
    expect(poller.revoked({ sessionId: "b" })).toBe("session");
    failing = true;
    await expect(poller.sync()).rejects.toThrow("ECONNREFUSED");
    expect(poller.revoked({ sessionId: "a" })).toBe("session");
  });

  it("holds at most maxEntries, dropping the oldest", async () => {
    const poller = createRevocationPoller({
      intervalMs: 60_000,
      maxEntries: 2,
      source: async () => list({ sessions: ["x", "y", "z"].map((id) => ({ id, until: later(60_000) })) }),
    });
    pollers.push(poller);
    await poller.sync();
    expect(["x", "y", "z"].map((id) => poller.revoked({ sessionId: id }))).toEqual([undefined, "session", "session"]);
  });
});
