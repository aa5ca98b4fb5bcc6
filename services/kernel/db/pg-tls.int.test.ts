import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates } from "../../../adapters/redis/test-server.js";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import type { Database } from "./database.js";
import { openDatabase } from "./open-database.js";
import { PrivatePostgres, postgresServerGate } from "./private-postgres.js";

/**
 * RDS and Cloud SQL sign their certificates with CAs Node does not trust by default; the stack
 * passes them in DATABASE_TLS_CA. A private PostgreSQL with TLS and a throw-away CA stands in.
 * Its certificate names localhost and 127.0.0.1; the server also listens on 127.0.0.2, an
 * address the certificate does not name (as Cloud SQL's names the instance, not its IP).
 */
const skip = postgresServerGate();

describe.skipIf(skip)(gatedTitle("postgres over verified TLS", skip), () => {
  let dirs: string[] = [];
  let server: PrivatePostgres;
  let ca: string;
  let caFile: string;
  let otherCa: string;
  const opened: Database[] = [];
  const open = async (url: string, tlsCa?: string) => {
    const db = await openDatabase(url, { tlsCa });
    opened.push(db);
    return db;
  };
  const encrypted = async (db: Database) => {
    const rows = await db.query<{ ssl: boolean }>("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    return rows[0]?.ssl;
  };

  beforeAll(async () => {
    const certificates = async () => {
      const dir = await mkdtemp(join(tmpdir(), "taskflow-pg-tls-"));
      dirs.push(dir);
      const files = makeTestCertificates(dir);
      if (!files) throw new Error("[taskflow] [tests] openssl could not make test certificates");
      return files;
    };
    const tls = await certificates();
    ca = await readFile(tls.caFile, "utf8");
    caFile = tls.caFile;
    otherCa = await readFile((await certificates()).caFile, "utf8");
    server = await PrivatePostgres.start(tls);
  }, 60_000);

  afterAll(async () => {
    for (const db of opened) await db.close();
    await server?.dispose();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    dirs = [];
  });

  it("connects with sslmode=verify-ca and the server's CA, encrypted, even to an address the certificate does not name", async () => {
    const db = await open(server.url("127.0.0.2", "?sslmode=verify-ca"), ca);
    expect(await db.query<{ n: number }>("SELECT 1 + 1 AS n")).toEqual([{ n: 2 }]);
    expect(await encrypted(db)).toBe(true);
  });

  it("connects with sslmode=verify-full to a name the certificate carries", async () => {
    const db = await open(server.url("localhost", "?sslmode=verify-full"), ca);
    expect(await encrypted(db)).toBe(true);
  });

  it("refuses sslmode=verify-full to an address the certificate does not name (the host is checked)", async () => {
    const db = await open(server.url("127.0.0.2", "?sslmode=verify-full"), ca);
    await expect(db.query("SELECT 1")).rejects.toThrow(/127\.0\.0\.2 is not in the cert's list/);
    expect(await db.ping()).toBe(false);
  });

  it.each(["verify-ca", "verify-full"])("refuses a server signed by another CA (sslmode=%s)", async (sslmode) => {
    const db = await open(server.url("localhost", `?sslmode=${sslmode}`), otherCa);
    await expect(db.query("SELECT 1")).rejects.toThrow(/certificate/);
  });

  /**
   * A server whose certificate chains to a root Node already trusts needs no DATABASE_TLS_CA
   * (Azure's case: a public CA). NODE_EXTRA_CA_CERTS adds the throw-away CA to those roots; Node
   * reads it only at start-up, so each case is a fresh process that validates its environment
   * and opens the database as a service does.
   */
  describe("sslmode=verify-full without DATABASE_TLS_CA", () => {
    const runService = async (env: Record<string, string>) => {
      const dir = await mkdtemp(join(tmpdir(), "taskflow-pg-roots-"));
      dirs.push(dir);
      const script = join(dir, "connect.mts");
      const kernel = (file: string) => fileURLToPath(new URL(file, import.meta.url));
      await writeFile(
        script,
        `import { parseServiceEnv } from ${JSON.stringify(kernel("../env.ts"))};
import { openDatabase } from ${JSON.stringify(kernel("./open-database.ts"))};
const env = parseServiceEnv(process.env);
const db = await openDatabase(env.DATABASE_URL ?? "", { tlsCa: env.DATABASE_TLS_CA });
try {
  const [row] = await db.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  console.log(JSON.stringify(row));
} finally {
  await db.close();
}
`,
      );
      const { PATH, HOME } = process.env;
      return promisify(execFile)(process.execPath, ["--import", "tsx", script], {
        cwd: fileURLToPath(new URL("../../../", import.meta.url)),
        env: { PATH: PATH ?? "", HOME: HOME ?? "", SERVICE_NAME: "tasks", ...env },
        timeout: 30_000,
      });
    };

    it("connects, encrypted, when the server's CA is among Node's roots (NODE_EXTRA_CA_CERTS)", async () => {
      const { stdout } = await runService({
        DATABASE_URL: server.url("localhost", "?sslmode=verify-full"),
        NODE_EXTRA_CA_CERTS: caFile,
      });
      expect(JSON.parse(stdout.trim())).toEqual({ ssl: true });
    }, 40_000);

    it("fails clearly when no root Node trusts signs the server's certificate", async () => {
      await expect(runService({ DATABASE_URL: server.url("localhost", "?sslmode=verify-full") })).rejects.toThrow(
        /self-signed certificate in certificate chain|unable to verify the first certificate/,
      );
    }, 40_000);

    it("still checks the host name against the certificate", async () => {
      await expect(
        runService({ DATABASE_URL: server.url("127.0.0.2", "?sslmode=verify-full"), NODE_EXTRA_CA_CERTS: caFile }),
      ).rejects.toThrow(/127\.0\.0\.2 is not in the cert's list/);
    }, 40_000);
  });

  it("keeps sslmode=no-verify as it was: encrypted, certificate unchecked", async () => {
    const db = await open(server.url("127.0.0.2", "?sslmode=no-verify"));
    expect(await encrypted(db)).toBe(true);
  });
});
