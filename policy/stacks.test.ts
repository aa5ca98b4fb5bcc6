import { describe, expect, it } from "vitest";
import { NOT_YET_COVERED } from "./coverage.js";
import { runPack } from "./harness.js";
import type { Target } from "./rule.js";
import { RULES } from "./rules/index.js";
import { buildStackFile, listStackFiles, readPackConfig, readStackConfig } from "./stack-files.js";

const all = await listStackFiles();
const providers = await Promise.all(all.map(async (s) => (await readStackConfig(s))["taskflow:cloudProvider"] ?? ""));
const stacks = all.filter((_, i) => !(providers[i]! in NOT_YET_COVERED));
const uncovered = all.map((stack, i) => [stack, NOT_YET_COVERED[providers[i]!]] as const).filter(([, why]) => why);

describe("every shipped stack file passes the policy pack", () => {
  it.skip.each(uncovered)("stacks/Pulumi.%s.yaml (skipped: %s)", () => {});

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
    // Zero violations means something only if each rule found what it reads in this stack.
    const types = new Set(built.resources.map((r) => r.type));
    const idle = RULES.filter((r) => !(r.types[built.provider as Target] ?? ["-"]).some((t) => types.has(t)));
    expect(
      idle.filter((r) => !r.notCheckable?.[built.provider as Target]).map((r) => r.name),
      "rules that found nothing of theirs in the stack",
    ).toEqual([]);
  });
});
