import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { TlsFiles } from "../testing/certificates.js";
import { freePort, tcpReachable } from "../testing/servers.js";

export { makeTestCertificates, type TlsFiles } from "../testing/certificates.js";

/**
 * A private `redis-server` that a test owns: its own free port and directory, nothing kept on
 * disk, and the right to stop, pause and restart it without disturbing the shared server.
 */

/** Undefined when `redis-server` can run here; a skip reason otherwise (an error under CI). */
export function redisServerGate(): string | undefined {
  const probe = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (probe.status === 0) return undefined;
  const reason = "redis-server is not installed; install the Debian package redis-server";
  if (process.env.CI === "true") throw new Error(`[taskflow] [tests] ${reason}`);
  return reason;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`[taskflow] [tests] ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface PrivateRedisOptions {
  /** A single-node cluster owning every slot, so CROSSSLOT rules apply. */
  readonly cluster?: boolean;
  /** Serve TLS only (no plain port), as the managed services do. */
  readonly tls?: TlsFiles;
  readonly password?: string;
}

export class PrivateRedis {
  #process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
    readonly cluster: boolean,
    readonly options: PrivateRedisOptions,
  ) {}

  static async start(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const dir = await mkdtemp(join(tmpdir(), "taskflow-redis-"));
    const server = new PrivateRedis(await freePort(), dir, options.cluster ?? false, options);
    await server.#launch();
    if (server.cluster) await server.#assignAllSlots();
    return server;
  }

  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : "";
    // TLS names the host the certificate was issued for.
    return this.options.tls ? `rediss://${auth}localhost:${this.port}` : `redis://${auth}127.0.0.1:${this.port}`;
  }

  async #launch(): Promise<void> {
    const { tls, password } = this.options;
    const ports = tls
      ? ["--port", "0", "--tls-port", String(this.port), "--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile]
      : ["--port", String(this.port)];
    if (tls) ports.push("--tls-ca-cert-file", tls.caFile, "--tls-auth-clients", "no");
    if (password) ports.push("--requirepass", password);
    const args = [...ports, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    args.push("--dir", this.dir);
    if (this.cluster) args.push("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
    const child = spawn("redis-server", args, { stdio: "ignore" });
    this.#process = child;
    await waitFor(
      async () => child.exitCode === null && (await tcpReachable("127.0.0.1", this.port, 200)),
      5_000,
      `redis-server did not start on port ${this.port}`,
    );
  }

  async #assignAllSlots(): Promise<void> {
    const admin = new Redis({ port: this.port, host: "127.0.0.1", lazyConnect: true });
    try {
      await admin.connect();
      // A restarted node remembers its slots in nodes.conf; only a new one needs them.
      const info = String(await admin.call("CLUSTER", "INFO"));
      if (!info.includes("cluster_slots_assigned:16384")) await admin.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
      await waitFor(
        async () => String(await admin.call("CLUSTER", "INFO")).includes("cluster_state:ok"),
        5_000,
        "the single-node cluster did not become ready",
      );
    } finally {
      admin.disconnect();
    }
  }

  /** Stops the server (SIGTERM, or SIGKILL for a crash) and waits until it has exited. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // A paused server only handles SIGTERM once it runs again.
    child.kill("SIGCONT");
    child.kill(signal);
    await exited;
  }

  /** Starts it again on the same port, empty. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#launch();
    if (this.cluster) await this.#assignAllSlots();
  }

  /** Freezes the process: connections stay open and nothing answers, as with a hung server. */
  pause(): void {
    this.#process?.kill("SIGSTOP");
  }

  resume(): void {
    this.#process?.kill("SIGCONT");
  }

  async dispose(): Promise<void> {
    await this.stop("SIGKILL");
    await rm(this.dir, { recursive: true, force: true });
  }
}
