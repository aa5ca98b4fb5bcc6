import { spawn } from "node:child_process";

/** A server a benchmark runs in a process of its own, so that it has a core to itself. */
export interface BenchChild {
  readonly pid: number;
  /** What the process printed first: its "ready" line, or a value it hands over (a token). */
  readonly firstLine: string;
  stop(): void;
}

/**
 * Starts `node <args>` and resolves once it prints its first line; rejects when it exits
 * before that, so a server that fails to start stops the benchmark instead of hanging it.
 */
export function startChild(args: readonly string[]): Promise<BenchChild> {
  const proc = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const early = (code: number | null) =>
      reject(
        new Error(`[taskflow] [bench] server exited early with code ${code}: node ${args.join(" ").slice(0, 80)}`),
      );
    proc.once("exit", early);
    proc.stdout!.once("data", (chunk) => {
      proc.off("exit", early);
      resolve({ pid: proc.pid!, firstLine: String(chunk).trim(), stop: () => proc.kill() });
    });
  });
}
