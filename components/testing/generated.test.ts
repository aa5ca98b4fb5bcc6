import { createPrivateKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { privateKey, randomPassword } from "./generated.js";

describe("generated values under the mocks", () => {
  it("a RandomPassword has its length and only the character sets it enables", () => {
    const value = randomPassword({ length: 48, special: false });
    expect(value).toHaveLength(48);
    expect(value).toMatch(/^[A-Za-z0-9]+$/);
    expect(randomPassword({ length: 48, special: false })).not.toBe(value);
    const withSpecial = randomPassword({ length: 12, minSpecial: 3, overrideSpecial: "#" });
    expect(withSpecial.split("#").length - 1).toBeGreaterThanOrEqual(3);
  });

  it("a tls.PrivateKey is a real key of the algorithm and size asked for", () => {
    const rsa = createPrivateKey(String(privateKey({ algorithm: "RSA", rsaBits: 2048 }).privateKeyPemPkcs8));
    expect([rsa.asymmetricKeyType, rsa.asymmetricKeyDetails?.modulusLength]).toEqual(["rsa", 2048]);
    const ec = createPrivateKey(String(privateKey({ algorithm: "ECDSA", ecdsaCurve: "P256" }).privateKeyPemPkcs8));
    expect([ec.asymmetricKeyType, ec.asymmetricKeyDetails?.namedCurve]).toEqual(["ec", "prime256v1"]);
    // The provider's default curve is P224, as it is there.
    const fallback = createPrivateKey(String(privateKey({ algorithm: "ECDSA" }).privateKeyPem));
    expect(fallback.asymmetricKeyDetails?.namedCurve).toBe("secp224r1");
  });
});
