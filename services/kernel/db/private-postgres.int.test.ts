import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates } from "../../../adapters/redis/test-server.js";
import { gatedTitle } from "../../../adapters/testing/servers.js";
import { PrivatePostgres, postgresServerGate } from "./private-postgres.js";

/**
 * With a login, the private server is what a managed one is to the services: only that role,
 * only with its password, only over TLS (the deploy rehearsal's database stand-in).
 */
const skip = postgresServerGate();

describe.skipIf(skip)(gatedTitle("private postgres with a password login", skip), () => {
  let dir: string;
  let ca: string;
  let server: PrivatePostgres;
  const login = { user: "taskflow", password: "s3cret-from-the-graph", database: "taskflow" };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-pg-login-"));
    const tls = makeTestCertificates(dir);
    if (!tls) throw new Error("[taskflow] [tests] openssl could not make test certificates");
    ca = await readFile(tls.caFile, "utf8");
    server = await PrivatePostgres.start(tls, login);
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const connect = async (password: string, ssl: pg.ClientConfig["ssl"]) => {
    const client = new pg.Client({
      host: "localhost",
      port: server.port,
      user: login.user,
      password,
      database: login.database,
      ssl,
    });
    try {
      await client.connect();
      return (await client.query<{ current_user: string }>("SELECT current_user")).rows[0]?.current_user;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it("lets the role in with its password over TLS", async () => {
    expect(await connect(login.password, { ca })).toBe("taskflow");
  });

  it("refuses any other password", async () => {
    await expect(connect("not-the-password", { ca })).rejects.toThrow(/password authentication failed/);
  });

  it("refuses a connection without TLS, even with the password", async () => {
    await expect(connect(login.password, false)).rejects.toThrow(/pg_hba\.conf rejects connection|no encryption/);
  });
});
