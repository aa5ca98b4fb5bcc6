import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TlsFiles } from "../testing/certificates.js";
import { freePort, tcpReachable } from "../testing/servers.js";

/** The server launcher of the Debian package; fault tests run a node of their own with it. */
export const RABBITMQ_SERVER_BIN = "/usr/lib/rabbitmq/bin/rabbitmq-server";

export function privateNodeAvailable(): boolean {
  return existsSync(RABBITMQ_SERVER_BIN);
}

/**
 * A user's `password_hash` in definitions, as RabbitMQ's default `rabbit_password_hashing_sha256`
 * stores it: base64 of a 4-byte salt followed by SHA-256(salt + password).
 */
export function rabbitPasswordHash(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash("sha256").update(salt).update(password, "utf8").digest();
  return Buffer.concat([salt, digest]).toString("base64");
}

export interface PrivateRabbitNodeOptions {
  /** Serve AMQPS only (no plain listener) with this certificate and key, as an in-cluster broker does. */
  readonly tls?: TlsFiles;
  /**
   * Definitions (users, vhosts, permissions, exchanges, queues, bindings) imported at boot, in
   * the export format of `rabbitmqctl export_definitions`. With them the node creates no default
   * guest user: it has exactly the users given.
   */
  readonly definitions?: Record<string, unknown>;
}

/**
 * A RabbitMQ node of a test's own, on its own ports, data and log directories, so that a fault
 * test can stop and restart it without touching the machine's shared broker. Its data
 * survives `restart()` (durable queues and persistent messages come back, as after a real
 * restart); `destroy()` stops it and removes everything it wrote.
 */
export class PrivateRabbitNode {
  private process: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly nodeName: string,
    readonly port: number,
    private readonly distPort: number,
    readonly tls: boolean,
  ) {}

  /** The guest URL of a node without definitions (guest may log in from loopback only). */
  get url(): string {
    return `${this.tls ? "amqps" : "amqp"}://guest:guest@127.0.0.1:${this.port}`;
  }

  static async start(readyTimeoutMs = 30_000, options: PrivateRabbitNodeOptions = {}): Promise<PrivateRabbitNode> {
    const dir = await mkdtemp(join(tmpdir(), "tf-rabbit-"));
    const port = await freePort();
    let distPort = await freePort();
    while (distPort === port) distPort = await freePort();
    const node = new PrivateRabbitNode(dir, `tf-fault-${port}@localhost`, port, distPort, options.tls !== undefined);
    const conf = options.tls
      ? [
          "listeners.tcp = none",
          `listeners.ssl.local = 127.0.0.1:${port}`,
          `ssl_options.cacertfile = ${options.tls.caFile}`,
          `ssl_options.certfile = ${options.tls.certFile}`,
          `ssl_options.keyfile = ${options.tls.keyFile}`,
          "ssl_options.verify = verify_none",
          "ssl_options.fail_if_no_peer_cert = false",
        ]
      : [`listeners.tcp.local = 127.0.0.1:${port}`];
    if (options.definitions) {
      await writeFile(join(dir, "definitions.json"), JSON.stringify(options.definitions));
      conf.push(
        "definitions.import_backend = local_filesystem",
        `definitions.local.path = ${join(dir, "definitions.json")}`,
      );
    }
    await writeFile(join(dir, "rabbitmq.conf"), `${conf.join("\n")}\n`);
    // The machine's env file names the shared node; this one only keeps Erlang on loopback.
    await writeFile(
      join(dir, "rabbitmq-env.conf"),
      'ERL_EPMD_ADDRESS=127.0.0.1\nexport ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n',
    );
    await writeFile(join(dir, "enabled_plugins"), "[].\n");
    try {
      await node.launch(readyTimeoutMs);
    } catch (error) {
      await node.destroy();
      throw error;
    }
    return node;
  }

  /** Stops the node (gracefully, as an operator's restart would) and starts it again. */
  async restart(readyTimeoutMs = 30_000): Promise<void> {
    await this.stop();
    await this.launch(readyTimeoutMs);
  }

  /** Starts a stopped node again, on the same ports and with the same data. */
  async resume(readyTimeoutMs = 30_000): Promise<void> {
    if (this.process) return;
    await this.launch(readyTimeoutMs);
  }

  async stop(timeoutMs = 15_000): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // The launcher script and the Erlang VM share the process group the node was started in.
    process.kill(-child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
    // The VM may outlive the launcher by a moment; wait until the port is released.
    for (let i = 0; i < 100 && (await tcpReachable("127.0.0.1", this.port, 200)); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }

  private async launch(readyTimeoutMs: number): Promise<void> {
    const log = openSync(join(this.dir, "server.out"), "a");
    const child = spawn(RABBITMQ_SERVER_BIN, [], {
      cwd: this.dir,
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.dir,
        RABBITMQ_NODENAME: this.nodeName,
        RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
        RABBITMQ_DIST_PORT: String(this.distPort),
        RABBITMQ_MNESIA_BASE: join(this.dir, "mnesia"),
        RABBITMQ_LOG_BASE: join(this.dir, "log"),
        RABBITMQ_CONFIG_FILE: join(this.dir, "rabbitmq.conf"),
        RABBITMQ_CONF_ENV_FILE: join(this.dir, "rabbitmq-env.conf"),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, "enabled_plugins"),
        RABBITMQ_PID_FILE: join(this.dir, "node.pid"),
      },
    });
    this.process = child;
    // If the test process ends without its teardown (a crash, a killed worker), take the node along.
    const reap = () => {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
    };
    process.once("exit", reap);
    child.once("exit", () => process.removeListener("exit", reap));
    const deadline = Date.now() + readyTimeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`[taskflow] [tests] private RabbitMQ node exited early: ${this.outputTail()}`);
      }
      if (await tcpReachable("127.0.0.1", this.port, 200)) return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(
      `[taskflow] [tests] private RabbitMQ node not ready within ${readyTimeoutMs} ms: ${this.outputTail()}`,
    );
  }

  private outputTail(): string {
    try {
      return readFileSync(join(this.dir, "server.out"), "utf8").slice(-600);
    } catch {
      return "(no output)";
    }
  }
}
