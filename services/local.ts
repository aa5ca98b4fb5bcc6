import { chmod, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { createLocalJWKSet } from "jose";
import { MemoryCache } from "../adapters/memory/cache.js";
import { MemoryBroker } from "../adapters/memory/message-broker.js";
import { jwks, LOCAL_SIGNING_KEY_FILE, loadOrCreateSigningKey } from "./identity/domain/signing-key.js";
import { REVOCATIONS_PATH } from "./kernel/auth/revocations.js";
import { LAUNCHERS, type Launched } from "./launchers.js";
import { platform, type ServiceName } from "./platform.js";

/**
 * Local mode (`npm start`): every service of `platform.ts` in this one process, on its
 * declared port, sharing one in-memory broker (so events flow between services) and one
 * in-memory cache; each service's database is an embedded PostgreSQL under `.taskflow/`, so
 * data survives a restart. The gateway starts first and answers while the others open their
 * databases. Ctrl-C publishes what the outboxes still hold, then stops everything.
 */

const DATA_DIR = ".taskflow";
const print = (line: string) => process.stdout.write(`${line}\n`);

/**
 * Ports: those of `platform.ts`, or `TASKFLOW_PORTS` (a JSON map of service name to port) to
 * run a second copy beside one already running, as the end-to-end test does.
 */
function ports(): Record<ServiceName, number> {
  const declared = Object.fromEntries(platform.services.map((s) => [s.name, s.port])) as Record<ServiceName, number>;
  const override = process.env.TASKFLOW_PORTS;
  if (!override) return declared;
  try {
    return { ...declared, ...(JSON.parse(override) as Partial<Record<ServiceName, number>>) };
  } catch (error) {
    throw new Error(
      `[taskflow] [local] TASKFLOW_PORTS must be a JSON object such as {"gateway":17000}: ${(error as Error).message}`,
    );
  }
}

/**
 * The embedded database writes its files world-readable and writable (0666) whatever the
 * umask; this narrows what exists once the services are up. Files it creates later keep its
 * mode, but sit in folders only this user can enter.
 */
async function restrictToOwner(path: string): Promise<void> {
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    const full = join(entry.parentPath, entry.name);
    await chmod(full, entry.isDirectory() ? 0o700 : 0o600).catch(() => undefined);
  }
}

interface Started {
  readonly gateway: Launched;
  readonly running: readonly Launched[];
  readonly broker: MemoryBroker;
  readonly cache: MemoryCache;
}

async function start(): Promise<Started> {
  // The embedded databases hold every account: readable and writable by this user only
  // (files 0600, folders 0700), whatever the shell's umask.
  process.umask(0o077);
  await mkdir(DATA_DIR, { recursive: true, mode: 0o700 });
  await chmod(DATA_DIR, 0o700);
  const port = ports();
  const upstreams = Object.fromEntries(
    platform.services.filter((s) => s.name !== "gateway").map((s) => [s.name, `http://127.0.0.1:${port[s.name]}`]),
  );
  const env = {
    LOG_LEVEL: "warn",
    ...process.env,
    CLOUD_PROVIDER: "local",
    UPSTREAM_URLS: JSON.stringify(upstreams),
    JWT_REVOCATIONS_URL: `${upstreams.identity}${REVOCATIONS_PATH}`,
  };
  const broker = new MemoryBroker();
  const cache = new MemoryCache({ namespace: "taskflow", maxEntries: 200_000 });
  const signingKey = await loadOrCreateSigningKey(LOCAL_SIGNING_KEY_FILE);
  const jwtKeys = createLocalJWKSet(jwks([signingKey]));
  const shared = { env, broker, cache, jwtKeys, signingKey };

  const gateway = await LAUNCHERS.gateway({ ...shared, port: port.gateway });
  print(
    `taskflow gateway  http://127.0.0.1:${gateway.port}  (answering ${Math.round(performance.now())} ms after launch)`,
  );

  const others = platform.services.filter((s) => s.name !== "gateway");
  const results = await Promise.allSettled(others.map((s) => LAUNCHERS[s.name]({ ...shared, port: port[s.name] })));
  const running: Launched[] = [];
  for (const [index, result] of results.entries()) {
    const name = others[index]!.name;
    if (result.status === "fulfilled") {
      running.push(result.value);
      print(`taskflow ${name.padEnd(13)} http://127.0.0.1:${result.value.port}`);
    } else {
      print(`taskflow ${name.padEnd(13)} failed to start: ${(result.reason as Error).message}`);
    }
  }
  await restrictToOwner(DATA_DIR);
  const failed = results.filter((r) => r.status === "rejected").length;
  // A service that cannot start is reported and the others keep serving: the gateway answers
  // 503 for its routes, as it would in a deployment where that service is down.
  print(
    failed === 0
      ? `all services up ${Math.round(performance.now())} ms after launch; data in ${DATA_DIR}/; Ctrl-C to stop`
      : `${failed} service(s) failed to start (see above); the others are up; Ctrl-C to stop`,
  );
  print(`try: curl http://127.0.0.1:${gateway.port}/health/ready   (walkthrough: README.md)`);

  return { gateway, running, broker, cache };
}

async function main() {
  let stopping = false;
  // Installed before anything opens: a Ctrl-C during start-up waits for the services being
  // opened and then stops them as it would later, so no embedded database is cut off mid-write.
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: stopping; publishing what the outboxes hold`);
    const up = await startedUp.catch(() => undefined);
    if (!up) process.exit(1);
    const { gateway, running, broker, cache } = up;
    await gateway.close();
    // Publish while every consumer still runs; their effects may write new outbox rows, so repeat until quiet.
    for (let round = 0; round < 5; round++) {
      const drained = await Promise.allSettled(running.map((s) => s.drain()));
      if (drained.every((d) => d.status === "fulfilled")) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await Promise.all(running.map((s) => s.drain().catch(() => {})));
    await Promise.allSettled(running.map((s) => s.close()));
    await broker.close();
    await cache.close();
    print("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  const startedUp = start();
  await startedUp;
}

main().catch((error) => {
  process.stderr.write(`[taskflow] [local] cannot start: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
