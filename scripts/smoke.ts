/**
 * Runs the README walkthrough (services/e2e/walkthrough.ts) against a running TaskFlow:
 *
 *   npm run smoke -- <baseUrl>        # e.g. http://127.0.0.1:7000 or https://tasks.example.com
 *
 * It creates two throw-away accounts under example.test and revokes the API key it makes.
 * Exit code 0 when every step passed, 1 with the failing step's message otherwise.
 */
import { runWalkthrough } from "../services/e2e/walkthrough.js";

const base = process.argv[2];
if (!base || !/^https?:\/\//.test(base)) {
  console.error("usage: npm run smoke -- <baseUrl>   (the gateway's address, e.g. http://127.0.0.1:7000)");
  process.exit(2);
}
const started = Date.now();
try {
  await runWalkthrough(base, { onStep: (step) => console.log(`smoke: ${step}`) });
  console.log(`smoke: passed against ${base} in ${Date.now() - started} ms`);
} catch (error) {
  console.error(`smoke: FAILED against ${base}: ${(error as Error).message}`);
  process.exit(1);
}
