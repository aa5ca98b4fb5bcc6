import { describe, expect, it } from "vitest";
import { runPack } from "./harness.js";
import { RULES } from "./rules/index.js";
import { buildStackFile, listStackFiles, readPackConfig } from "./stack-files.js";

const stacks = await listStackFiles();

describe("every shipped stack file passes the policy pack", () => {
  it.each(stacks)("stacks/Pulumi.%s.yaml: zero mandatory violations", async (stack) => {
    const built = await buildStackFile(stack);
    const result = await runPack(RULES, built.resources, await readPackConfig(stack));
    console.log(
      stack,
      built.resources.length,
      JSON.stringify(
        result.violations.map((v) => `${v.rule}: ${v.message}`),
        null,
        1,
      ),
    );
    expect(result.mandatory.map((v) => `${v.rule}: ${v.message}`)).toEqual([]);
  });
});
