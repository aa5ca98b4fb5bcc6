import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { rdsRegionCa } from "./rds-ca.js";

const subjects = (pem: string) =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block).subject,
  );

describe("RDS CA for a region", () => {
  it("keeps only the region's current root CAs and names the RSA2048 one for the instance", () => {
    const ca = rdsRegionCa("eu-west-1");
    const names = subjects(ca.pem);
    expect(names.length).toBeGreaterThan(0);
    for (const subject of names) expect(subject).toMatch(/CN=Amazon RDS eu-west-1 Root CA (RSA2048|RSA4096|ECC384) G1/);
    expect(ca.caCertIdentifier).toBe("rds-ca-rsa2048-g1");
    // A few kilobytes, not the 120-certificate bundle.
    expect(ca.pem.length).toBeLessThan(8_000);
  });

  it("does not mix up regions whose names share a prefix", () => {
    for (const subject of subjects(rdsRegionCa("us-east-1").pem))
      expect(subject).toMatch(/CN=Amazon RDS us-east-1 Root/);
  });

  it("fails naming the region when no CA is known for it", () => {
    expect(() => rdsRegionCa("mars-north-1")).toThrow(/no Amazon RDS root CA for region "mars-north-1"/);
  });
});
