/**
 * The deploy rehearsal (scripts/rehearsal/rehearse.ts, docs/rehearsal.md):
 *
 *   npm run rehearse -- aws
 *   npm run rehearse -- gcp
 *   npm run rehearse -- kubernetes
 *
 * Exit code 0 when every check passed, 1 with the failure otherwise. Ctrl-C stops everything
 * it started.
 */
import { Rehearsal } from "./rehearsal/rehearse.js";
import { REHEARSABLE } from "./rehearsal/targets.js";

const target = process.argv[2];
if (!target) {
  console.error(`usage: npm run rehearse -- <${REHEARSABLE.join("|")}>`);
  process.exit(2);
}
const rehearsal = new Rehearsal();
const interrupt = () => {
  console.error(`rehearse ${target}: interrupted; stopping everything it started`);
  void rehearsal.stop().then(() => process.exit(130));
};
process.once("SIGINT", interrupt);
process.once("SIGTERM", interrupt);
try {
  await rehearsal.run(target);
  await rehearsal.stop();
} catch (error) {
  await rehearsal.stop();
  console.error(`rehearse ${target}: FAILED: ${(error as Error).message}`);
  process.exit(1);
}
