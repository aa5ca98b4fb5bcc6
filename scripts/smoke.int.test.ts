import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalMode, startLocalMode } from "../services/e2e/local-process.js";

/** `npm run smoke`, the script deploy.yml runs against each stack's publicUrl, here against local mode. */
let local: LocalMode;
beforeAll(async () => {
  // Generous: the machine that runs CI is shared, and five services start in one process.
  local = await startLocalMode({ readyTimeoutMs: 150_000 });
}, 180_000);
afterAll(async () => {
  await local?.stop();
});

it("npm run smoke passes against local mode", async () => {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const child = spawn("npm", ["run", "-s", "smoke", "--", local.base], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const code = await new Promise<number | null>((done) => child.on("close", done));
  expect(output).toContain(`smoke: passed against ${local.base}`);
  expect(code).toBe(0);
}, 120_000);
