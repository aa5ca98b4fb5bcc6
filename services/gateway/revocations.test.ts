import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Message } from "../../adapters/core/message.js";
import { MemoryCache } from "../../adapters/memory/cache.js";
import type { EventMessage } from "../kernel/event-log.js";
import { createApiKeyTokens } from "./api-key-tokens.js";
import { revocationHandler } from "./revocations.js";

/** The gateway's identity-events consumer against the cache its caller resolver reads. */

const key = (id: string) => `tfk_${id}_${"s".repeat(43)}`;
const delivery = { deadLetter: () => {}, signal: new AbortController().signal };

function event(type: string, data: Record<string, unknown>): Message<EventMessage> {
  return {
    id: randomUUID(),
    topic: "identity-events",
    headers: {},
    attempt: 1,
    publishedAt: new Date(),
    body: {
      eventId: randomUUID(),
      streamId: "account:u1",
      version: 1,
      type,
      data,
      actor: "u1",
      occurredAt: new Date().toISOString(),
    },
  };
}

function setup() {
  const cache = new MemoryCache({ namespace: `revocations-${randomUUID()}`, maxEntries: 1_000 });
  return { cache, tokens: createApiKeyTokens(cache), handle: revocationHandler(cache) };
}

describe("gateway: API key revocations", () => {
  it("ignores other identity events and revocations of other keys", async () => {
    const { tokens, handle } = setup();
    await tokens.set(key("keyAAAAAAAAA"), "token-a", 60_000);
    await handle(event("user-registered", { userId: "u1", email: "a@example.test", displayName: "Ann" }), delivery);
    await handle(event("account-locked", { userId: "u1", lockedUntil: new Date().toISOString() }), delivery);
    await handle(event("api-key-revoked", { keyId: "keyBBBBBBBBB", userId: "u1" }), delivery);
    await handle(event("api-key-revoked", { userId: "u1" }), delivery);
    expect(await tokens.get(key("keyAAAAAAAAA"))).toBe("token-a");
  });

  it("forgets the key's token; a duplicate revocation is harmless", async () => {
    const { tokens, handle } = setup();
    await tokens.set(key("keyAAAAAAAAA"), "token-a", 60_000);
    const revoked = event("api-key-revoked", { keyId: "keyAAAAAAAAA", userId: "u1" });
    await handle(revoked, delivery);
    expect(await tokens.get(key("keyAAAAAAAAA"))).toBeUndefined();
    await expect(handle(revoked, delivery)).resolves.toBeUndefined();
    await expect(handle({ ...revoked, id: randomUUID() }, delivery)).resolves.toBeUndefined();
    expect(await tokens.get(key("keyAAAAAAAAA"))).toBeUndefined();
  });

  it("does not cache a token issued just before the revocation and stored after it", async () => {
    const { tokens, handle } = setup();
    await handle(event("api-key-revoked", { keyId: "keyAAAAAAAAA", userId: "u1" }), delivery);
    await tokens.set(key("keyAAAAAAAAA"), "late-token", 60_000);
    expect(await tokens.get(key("keyAAAAAAAAA"))).toBeUndefined();
  });

  it("gives a cached token only to the exact key, not to another secret under the same id", async () => {
    const { tokens } = setup();
    await tokens.set(key("keyAAAAAAAAA"), "token-a", 60_000);
    expect(await tokens.get(`tfk_keyAAAAAAAAA_${"x".repeat(43)}`)).toBeUndefined();
  });
});
