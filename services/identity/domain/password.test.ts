import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./password.js";

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

  it("never matches a malformed stored hash", async () => {
    expect(await verifyPassword("x", "plain-text")).toBe(false);
    expect(await verifyPassword("x", "scrypt$0$8$1$AAAA$AAAA")).toBe(false);
  });
});
