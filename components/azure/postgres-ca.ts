import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";

/**
 * The roots Azure Database for PostgreSQL's server certificates chain to since Azure's
 * certificate rotation: DigiCert Global Root G2 and Microsoft RSA Root Certificate Authority
 * 2017. (The older DigiCert Global Root CA is no longer in the store Node 24 ships.) Taken from
 * that Mozilla store, so the PEM is the same bytes Node would trust, but only these two:
 * sslmode=verify-full then accepts no other public CA for the database.
 */
export const AZURE_POSTGRES_ROOTS = [
  "DigiCert Global Root G2",
  "Microsoft RSA Root Certificate Authority 2017",
] as const;

export function azurePostgresCa(now = new Date()): string {
  const found = new Map<string, string>();
  for (const pem of rootCertificates) {
    const certificate = new X509Certificate(pem);
    const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1];
    if (
      commonName &&
      (AZURE_POSTGRES_ROOTS as readonly string[]).includes(commonName) &&
      new Date(certificate.validTo) > now
    ) {
      found.set(commonName, pem.trim());
    }
  }
  const missing = AZURE_POSTGRES_ROOTS.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new Error(
      `[taskflow] [azure] Node's root store lacks ${missing.join(", ")}, which Azure PostgreSQL certificates chain to; run the stack with a current Node`,
    );
  }
  return `${AZURE_POSTGRES_ROOTS.map((name) => found.get(name)).join("\n")}\n`;
}
