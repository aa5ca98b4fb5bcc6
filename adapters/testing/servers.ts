import { connect, createServer } from "node:net";

/**
 * Integration tests talk to real servers. When one cannot be reached, a developer's run skips
 * those tests and says why in the suite's title; a CI run (CI=true) fails instead, because a
 * skipped check must never pass for a verified one.
 */
export async function tcpReachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Returns `undefined` when the server answers, a skip reason when it does not (developer
 * run), and throws under CI.
 */
export async function serverGate(
  name: string,
  address: { host: string; port: number } | undefined,
  howToProvide: string,
): Promise<string | undefined> {
  if (address && (await tcpReachable(address.host, address.port))) return undefined;
  const where = address ? `${address.host}:${address.port}` : "no address configured";
  const reason = `${name} not reachable (${where}); ${howToProvide}`;
  if (process.env.CI === "true") throw new Error(`[taskflow] [tests] ${reason}`);
  return reason;
}

/** A suite title that carries its skip reason, so a run shows why it did not run. */
export function gatedTitle(title: string, skipReason: string | undefined): string {
  return skipReason ? `${title} (skipped: ${skipReason})` : title;
}

/** A port nobody listens on right now on 127.0.0.1; the OS picks it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Host and port of `http://host:port` or `host:port`. */
export function parseAddress(address: string | undefined): { host: string; port: number } | undefined {
  if (!address) return undefined;
  const match = /^(?:https?:\/\/)?([^:/]+):(\d+)/.exec(address.trim());
  if (!match) return undefined;
  return { host: match[1]!, port: Number(match[2]) };
}
