import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../adapters/testing/servers.js";

/**
 * Starts and stops the local emulators the broker tests and benchmarks run against: fauxqs
 * (SNS + SQS, an npm package) and Google's Pub/Sub emulator (Java, from the Debian package
 * google-cloud-cli-pubsub-emulator). Each runs as a child process on a free localhost port,
 * in its own process group so that stopping it also ends the JVM the launcher script starts.
 */

export interface RunningEmulator {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** What the client wants: `http://127.0.0.1:4566` for fauxqs, `127.0.0.1:8085` for Pub/Sub. */
  readonly address: string;
  /** Ends the process group; idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** @default a free port */
  readonly port?: number;
  /** How long to wait for the emulator to answer. @default 30_000 */
  readonly timeoutMs?: number;
  /** fauxqs only: a JSON init file of queues, topics and subscriptions to create before it answers. */
  readonly init?: string;
}

const HOST = "127.0.0.1";
const PUBSUB_LAUNCHERS = [
  "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator",
  "/usr/share/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator",
];

export class EmulatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`[taskflow] [emulators] ${message}`, options);
    this.name = "EmulatorError";
  }
}

/** The Pub/Sub emulator launcher, or undefined when the package is not installed. */
export function findPubSubLauncher(): string | undefined {
  const fromEnv = process.env.PUBSUB_EMULATOR_LAUNCHER;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return PUBSUB_LAUNCHERS.find((path) => existsSync(path));
}

export async function startFauxqs(options: StartOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? (await freePort());
  // The package's own CLI; resolved by path because vitest's module runner has no import.meta.resolve.
  const cli = fileURLToPath(new URL("../node_modules/fauxqs/dist/cli.js", import.meta.url));
  if (!existsSync(cli)) throw new EmulatorError(`fauxqs is not installed (${cli} is missing); run npm install`);
  const child = spawn(process.execPath, [cli], {
    env: {
      ...process.env,
      FAUXQS_PORT: String(port),
      FAUXQS_LOGGER: "false",
      ...(options.init ? { FAUXQS_INIT: options.init } : {}),
    },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  return watch("fauxqs", child, port, `http://${HOST}:${port}`, `http://${HOST}:${port}/health`, options);
}

export async function startPubSubEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
  const launcher = findPubSubLauncher();
  if (!launcher) {
    throw new EmulatorError(
      "the Pub/Sub emulator is not installed; install the Debian package google-cloud-cli-pubsub-emulator " +
        "(and Java 17), or set PUBSUB_EMULATOR_LAUNCHER to its bin/cloud-pubsub-emulator",
    );
  }
  const port = options.port ?? (await freePort());
  const child = spawn(launcher, [`--host=${HOST}`, `--port=${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  return watch("pubsub-emulator", child, port, `${HOST}:${port}`, `http://${HOST}:${port}/`, options);
}

/** Emulators still running; ended if this process exits without stopping them. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function endOnExit(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const orphan of live) signal(orphan, "SIGKILL");
  });
}

async function watch(
  name: string,
  child: ChildProcess,
  port: number,
  address: string,
  readyUrl: string,
  options: StartOptions,
): Promise<RunningEmulator> {
  endOnExit(child);
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", (error) => {
      stderr += String(error);
      exited = true;
      resolve();
    });
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (!exited) signal(child, "SIGTERM");
    const timer = setTimeout(() => signal(child, "SIGKILL"), 5_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await answers(readyUrl))) {
    if (exited) {
      await stop();
      throw new EmulatorError(`${name} exited before it was ready on port ${port}: ${stderr.trim() || "no output"}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EmulatorError(`${name} did not answer on ${readyUrl} within ${options.timeoutMs ?? 30_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // The emulators write logs to stderr for as long as they run; keep reading so they never block.
  return { name, host: HOST, port, address, stop };
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    // The negative pid is the whole process group: the launcher script and the JVM it started.
    if (child.pid !== undefined) process.kill(-child.pid, name);
  } catch {
    // Already gone.
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
