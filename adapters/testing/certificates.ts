import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A server certificate and key, and the CA that signed them, as PEM files. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/**
 * A throw-away CA and a server certificate for `localhost` / 127.0.0.1, made with the openssl
 * command line in `dir`. Undefined when openssl is missing.
 */
export function makeTestCertificates(dir: string): TlsFiles | undefined {
  writeFileSync(join(dir, "san.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  const steps = [
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "1"],
    ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr"],
    ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"],
  ];
  const subjects = [
    ["-subj", "/CN=taskflow test CA"],
    ["-subj", "/CN=localhost"],
    ["-out", "server.crt", "-days", "1", "-extfile", "san.cnf"],
  ];
  for (const [index, step] of steps.entries()) {
    const result = spawnSync("openssl", [...step, ...(subjects[index] ?? [])], { cwd: dir, encoding: "utf8" });
    if (result.status !== 0) return undefined;
  }
  return { certFile: join(dir, "server.crt"), keyFile: join(dir, "server.key"), caFile: join(dir, "ca.crt") };
}
