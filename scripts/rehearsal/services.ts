import { type ChildProcess, spawn } from "node:child_process";
import type { StagedImage } from "./stage.js";

/**
 * One service started as its container would be: the image's entrypoint plus the command the
 * stack gives it, in the staged /app, with exactly the environment it is given and nothing of
 * this process's own (apart from PATH).
 */
export interface RunningService {
  readonly name: string;
  readonly port: number;
  /** The last lines it printed (stdout and stderr), for a failure message. */
  output(): string;
  /** Waits until `path` answers 200 on its port; returns the milliseconds since it was started. */
  ready(path: string, timeoutMs: number): Promise<number>;
  /** SIGTERM, then SIGKILL after 10 s; resolves with its exit code. Idempotent. */
  stop(): Promise<number | null>;
}

export function startService(
  image: StagedImage,
  name: string,
  command: readonly string[],
  env: Readonly<Record<string, string>>,
  port: number,
): RunningService {
  const [entry, ...flags] = image.entrypoint;
  // The image's `node` is this Node: the rehearsal runs on the version the Dockerfile names.
  const executable = entry === "node" ? process.execPath : String(entry);
  const started = Date.now();
  const child: ChildProcess = spawn(executable, [...flags, ...command], {
    cwd: image.dir,
    env: { PATH: process.env.PATH ?? "", ...image.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  const keep = (chunk: Buffer) => {
    printed = (printed + chunk.toString("utf8")).slice(-6_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stopping: Promise<number | null> | undefined;

  return {
    name,
    port,
    output: () => printed,
    async ready(path, timeoutMs) {
      const deadline = started + timeoutMs;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(
            `[taskflow] [rehearsal] ${name} exited (code ${child.exitCode ?? child.signalCode}) before it was ready; it printed:\n${printed}`,
          );
        const answer = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1_000) }).catch(
          () => undefined,
        );
        await answer?.body?.cancel();
        if (answer?.status === 200) return Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(
        `[taskflow] [rehearsal] ${name} did not answer 200 on ${path} within ${timeoutMs} ms; it printed:\n${printed}`,
      );
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      })();
      return stopping;
    },
  };
}
