/**
 * Monthly cost estimate of a shipped stack, from its mocked graph and the price table in
 * cost/prices.ts.
 *
 *   npm run cost -- <stack>     one stack, e.g. aws-prod
 *   npm run docs:cost           writes docs/cost.md for every shipped stack
 */
import { writeFile } from "node:fs/promises";
import { listStackFiles } from "../policy/stack-files.js";
import { costDocument, estimateStack, stackTable } from "./report.js";

const args = process.argv.slice(2).filter((a) => a !== "--");
if (args[0] === "--docs") {
  await writeFile(new URL("../docs/cost.md", import.meta.url), await costDocument());
  console.log("wrote docs/cost.md");
} else if (args.length !== 1) {
  console.error(`usage: npm run cost -- <stack>; shipped stacks: ${(await listStackFiles()).join(", ")}`);
  process.exit(2);
} else {
  console.log(stackTable(await estimateStack(args[0] as string)));
}
