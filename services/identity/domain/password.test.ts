import { describe, expect, it } from "vitest";
import { DEFAULT_SCRYPT_COST, hashPassword, needsRehash, verifyPassword } from "./password.js";

const cheap = { N: 1024, r: 8, p: 1 };

describe("password hashes", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword("correct horse battery", cheap);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterz", hash)).toBe(false);
  });

  it("salts per hash, never stores the password, and records its cost", async () => {
    const a = await hashPassword("same password", cheap);
    const b = await hashPassword("same password", cheap);
    expect(a).not.toBe(b);
    expect(a).not.toContain("same password");
    expect(a.startsWith("scrypt$1024$8$1$")).toBe(true);
  });

  it("asks for a re-hash of hashes below the current cost only", async () => {
    expect(needsRehash(await hashPassword("pw", cheap))).toBe(true);
    expect(needsRehash("scrypt$16384$8$1$AAAA$AAAA", { N: 32_768, r: 8, p: 3 })).toBe(true);
    expect(needsRehash("scrypt$32768$8$3$AAAA$AAAA", { N: 32_768, r: 8, p: 3 })).toBe(false);
    expect(needsRehash(`scrypt$${DEFAULT_SCRYPT_COST.N}$8$1$AAAA$AAAA`)).toBe(false);
    expect(needsRehash(await hashPassword("pw", cheap), cheap)).toBe(false);
  });

  it("never matches a malformed stored hash", async () => {
    expect(await verifyPassword("x", "plain-text")).toBe(false);
    expect(await verifyPassword("x", "scrypt$0$8$1$AAAA$AAAA")).toBe(false);
  });
});
