import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../adapters/testing/servers.js";
import { platform, type ServiceName } from "../platform.js";

/**
 * Runs `npm start`'s program (`services/local.ts`) as a child process, the way a user does,
 * but on free ports and in a fresh working directory, so it can run beside a developer's own
 * local mode on 7000-7004 and leaves nothing behind. Used by the end-to-end test and the
 * gateway benchmark.
 */
export interface LocalMode {
  /** Gateway base URL, e.g. http://127.0.0.1:43121. */
  readonly base: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** The working directory the process runs in (its data is under `.taskflow/` there). */
  readonly dir: string;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** Ctrl-C, then waits for the process to exit; removes the working directory. */
  stop(): Promise<{ code: number | null; output: string }>;
}

const LOCAL_ENTRY = fileURLToPath(new URL("../local.ts", import.meta.url));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string, output: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`[taskflow] [e2e] ${what} not ready within ${timeoutMs} ms; output:\n${output()}`);
}

export async function startLocalMode(
  options: {
    env?: Record<string, string>;
    readyTimeoutMs?: number;
    /** Services to wait for. @default every service of platform.ts */
    waitFor?: readonly ServiceName[];
  } = {},
): Promise<LocalMode> {
  const dir = await mkdtemp(join(tmpdir(), "taskflow-local-"));
  const ports = {} as Record<ServiceName, number>;
  for (const service of platform.services) ports[service.name] = await freePort();
  let output = "";
  const child: ChildProcess = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), LOCAL_ENTRY], {
    cwd: dir,
    env: { ...process.env, ...options.env, TASKFLOW_PORTS: JSON.stringify(ports) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (chunk) => {
    output += String(chunk);
  });
  child.stderr!.on("data", (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const code = await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
    return { code, output };
  };
  try {
    const timeout = options.readyTimeoutMs ?? 60_000;
    for (const name of options.waitFor ?? platform.services.map((s) => s.name)) {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${ports[name]}/health/ready`)).ok,
        timeout,
        name,
        () => output,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { base: `http://127.0.0.1:${ports.gateway}`, ports, dir, output: () => output, stop };
}
