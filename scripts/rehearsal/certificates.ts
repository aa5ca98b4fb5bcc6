import { spawnSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import type { TlsFiles } from "../../adapters/redis/test-server.js";

/**
 * A throw-away CA, and one server certificate from it that names every cloud host name (and
 * private address) the rehearsal stands in for. The services dial those names unchanged, so
 * TLS still checks the name the stack gave them; only the authority behind it is local.
 */
export interface ThrowAwayCa extends TlsFiles {
  /** PEM of the CA certificate. */
  readonly caPem: string;
}

export async function issueCertificates(dir: string, names: readonly string[]): Promise<ThrowAwayCa> {
  if (names.length === 0) throw new Error("[taskflow] [rehearsal] no host names to certify");
  const san = names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(",");
  await writeFile(join(dir, "san.cnf"), `subjectAltName=${san}\n`);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const steps = [
    ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=taskflow rehearsal CA"],
    ["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", `/CN=${names[0]}`],
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"],
  ];
  steps[2]?.push("-out", "server.crt", "-days", "1", "-extfile", "san.cnf");
  for (const step of steps) {
    const result = spawnSync("openssl", step, { cwd: dir, encoding: "utf8" });
    if (result.status !== 0)
      throw new Error(`[taskflow] [rehearsal] openssl ${step[0]} failed: ${result.error?.message ?? result.stderr}`);
  }
  return {
    caFile: join(dir, "ca.crt"),
    certFile: join(dir, "server.crt"),
    keyFile: join(dir, "server.key"),
    caPem: await readFile(join(dir, "ca.crt"), "utf8"),
  };
}
