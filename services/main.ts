import { mkdir } from "node:fs/promises";
import { parseServiceEnv } from "./kernel/env.js";
import { LAUNCHERS } from "./launchers.js";

/**
 * One service per process, as a container runs it: `SERVICE_NAME=tasks tsx services/main.ts`.
 * Settings come from the env contract (`services/kernel/env.ts`), which reports every problem
 * at once; the adapters are the ones `CLOUD_PROVIDER` (or `BROKER` / `CACHE`) selects. SIGTERM
 * publishes what the outbox still holds, then stops.
 */
async function main() {
  const env = parseServiceEnv(process.env);
  // Local mode keeps its embedded databases under .taskflow/, as `npm start` does.
  if (env.CLOUD_PROVIDER === "local") await mkdir(".taskflow", { recursive: true });
  const name = env.SERVICE_NAME;
  const service = await LAUNCHERS[name]({ env: process.env });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error) => {
  process.stderr.write(`[taskflow] [main] cannot start: ${(error as Error).message}\n`);
  process.exit(1);
});
