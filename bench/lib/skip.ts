import { tcpReachable } from "../../adapters/testing/servers.js";

/**
 * A bench that cannot run (its server is down) exits with this code after printing why;
 * `bench/run.ts` reports it as skipped, not failed.
 */
export const SKIP_EXIT_CODE = 78;

export function skipBench(reason: string): never {
  console.log(`[bench] skipped: ${reason}`);
  process.exit(SKIP_EXIT_CODE);
}

/** Skips the bench unless `host:port` accepts a TCP connection. */
export async function requireServer(name: string, host: string, port: number, howToStart: string): Promise<void> {
  if (!(await tcpReachable(host, port))) skipBench(`${name} not reachable at ${host}:${port}; ${howToStart}`);
}
