import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, chmod, chown, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TlsFiles } from "../../../adapters/redis/test-server.js";
import { freePort, tcpReachable } from "../../../adapters/testing/servers.js";

/**
 * A private PostgreSQL server that a test owns: its own data directory and free port, TLS with
 * the certificate it is given, trust authentication from the loopback addresses. Listens on
 * 127.0.0.1 and 127.0.0.2, so a test can dial an address the certificate does not name.
 * PostgreSQL refuses to run as root, so under root it runs as the `postgres` user.
 */

const BIN_ROOT = "/usr/lib/postgresql";

/** The newest installed server's bin directory (Debian layout), if any. */
function serverBinDir(): string | undefined {
  if (!existsSync(BIN_ROOT)) return undefined;
  const versions = readdirSync(BIN_ROOT)
    .filter((v) => existsSync(join(BIN_ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(BIN_ROOT, versions[0], "bin");
}

const runningAsRoot = () => process.getuid?.() === 0;

/** Undefined when a private server can run here; a skip reason otherwise (an error under CI). */
export function postgresServerGate(): string | undefined {
  let reason: string | undefined;
  if (!serverBinDir())
    reason = `initdb is not installed under ${BIN_ROOT}/*/bin; install the Debian package postgresql`;
  else if (runningAsRoot() && spawnSync("id", ["-u", "postgres"]).status !== 0)
    reason = "running as root and there is no postgres user to run the server as";
  if (reason && process.env.CI === "true") throw new Error(`[taskflow] [tests] ${reason}`);
  return reason;
}

/** `runuser` lives in sbin, which a non-login PATH (CI's, say) may not hold. */
const RUNUSER = ["/usr/sbin/runuser", "/sbin/runuser"].find((path) => existsSync(path)) ?? "runuser";

/** argv that runs `command` as the postgres user when this process is root. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return runningAsRoot() ? [RUNUSER, ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
}

/** A login the server checks: its own role and database, reached only with this password over TLS. */
export interface PostgresLogin {
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export class PrivatePostgres {
  #process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /**
   * Without `login`, every role is trusted from the loopback addresses. With it, TCP connections
   * must use TLS and that role's password (SCRAM); only the server's own socket is trusted.
   */
  static async start(tls: TlsFiles, login?: PostgresLogin): Promise<PrivatePostgres> {
    const bin = serverBinDir();
    if (!bin) throw new Error("[taskflow] [tests] PostgreSQL server binaries are not installed");
    const dir = await mkdtemp(join(tmpdir(), "taskflow-pg-"));
    const server = new PrivatePostgres(await freePort(), dir);
    try {
      await server.#prepare(bin, tls, login);
      await server.#launch(bin);
      if (login) await server.#createLogin(login);
      return server;
    } catch (error) {
      await server.dispose();
      throw error;
    }
  }

  /** `postgres://postgres@<host>:<port>/postgres` plus the given query. */
  url(host: string, query = ""): string {
    return `postgres://postgres@${host}:${this.port}/postgres${query}`;
  }

  async #prepare(bin: string, tls: TlsFiles, login?: PostgresLogin): Promise<void> {
    // The server reads its key only if the key is its own and private.
    await copyFile(tls.certFile, join(this.dir, "server.crt"));
    await copyFile(tls.keyFile, join(this.dir, "server.key"));
    await chmod(join(this.dir, "server.key"), 0o600);
    if (runningAsRoot()) {
      const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
      const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
      for (const path of [this.dir, join(this.dir, "server.crt"), join(this.dir, "server.key")]) {
        await chown(path, uid, gid);
      }
    }
    const data = join(this.dir, "data");
    const [command, args] = asServerUser(join(bin, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "--no-instructions",
    ]);
    const result = spawnSync(command, args, { encoding: "utf8" });
    if (result.status !== 0) {
      const why = result.error?.message ?? (result.stderr || result.stdout);
      throw new Error(`[taskflow] [tests] initdb failed: ${why}`);
    }
    if (login) {
      await writeFile(
        join(data, "pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.0/8 scram-sha-256\nhost all all 127.0.0.0/8 reject\n",
      );
    } else {
      await appendFile(join(data, "pg_hba.conf"), "host all all 127.0.0.0/8 trust\n");
    }
  }

  async #createLogin(login: PostgresLogin): Promise<void> {
    // Over the server's own socket, where the postgres role is trusted.
    const admin = new pg.Client({ host: this.dir, port: this.port, user: "postgres", database: "postgres" });
    await admin.connect();
    try {
      const role = pg.escapeIdentifier(login.user);
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD ${pg.escapeLiteral(login.password)}`);
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(login.database)} OWNER ${role}`);
    } finally {
      await admin.end();
    }
  }

  async #launch(bin: string): Promise<void> {
    const [command, args] = asServerUser(join(bin, "postgres"), [
      "-D",
      join(this.dir, "data"),
      "-p",
      String(this.port),
      "-k",
      this.dir,
      "-c",
      "listen_addresses=127.0.0.1,127.0.0.2",
      "-c",
      "ssl=on",
      "-c",
      `ssl_cert_file=${join(this.dir, "server.crt")}`,
      "-c",
      `ssl_key_file=${join(this.dir, "server.key")}`,
      "-c",
      "fsync=off",
    ]);
    // Its own process group, so stopping it reaches the server behind runuser.
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    this.#process = child;
    const deadline = Date.now() + 15_000;
    // The port opens before the server accepts sessions ("the database system is starting up"):
    // wait for pg_isready, which reports exactly that.
    const accepting = async () =>
      child.exitCode === null &&
      (await tcpReachable("127.0.0.1", this.port, 200)) &&
      spawnSync(join(bin, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(this.port), "-t", "1"]).status === 0;
    while (!(await accepting())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`[taskflow] [tests] postgres did not start on port ${this.port}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async dispose(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // SIGINT is PostgreSQL's fast shutdown: no waiting for clients.
      process.kill(-child.pid, "SIGINT");
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
