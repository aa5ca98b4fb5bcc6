import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { NOT_YET_COVERED } from "./coverage.js";
import { FIXTURES, res } from "./fixtures.js";
import { runPack } from "./harness.js";
import type { Target } from "./rule.js";
import { RULES } from "./rules/index.js";
import { AWS } from "./rules/types.js";
import { listStackFiles, readStackConfig } from "./stack-files.js";

// The sentinel the engine puts where a preview does not know a value yet (internal to the pack's proxy).
const { unknownStringValue } = createRequire(import.meta.url)("@pulumi/policy/proxy.js") as {
  unknownStringValue: string;
};

/**
 * Targets the repository ships a stack file for: the pack must cover each of them. A target
 * whose components exist but which ships no stack yet (azure at the time of writing) joins this
 * list, and these checks, with its first stacks/Pulumi.<target>*.yaml.
 */
const SHIPPED_TARGETS = [
  ...new Set(
    await Promise.all(
      (await listStackFiles()).map(async (s) => (await readStackConfig(s))["taskflow:cloudProvider"] ?? ""),
    ),
  ),
].filter((target) => !(target in NOT_YET_COVERED)) as Target[];

const rule = (name: string) => {
  const found = RULES.find((r) => r.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
};

describe("policy rules", () => {
  it("has one rule per concern, each with a severity and an enforcement level", () => {
    expect(RULES).toHaveLength(12);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(12);
    for (const r of RULES) {
      expect(["low", "medium", "high", "critical"]).toContain(r.severity);
      expect(["mandatory", "advisory"]).toContain(r.enforcementLevel);
    }
  });

  for (const [target, why] of Object.entries(NOT_YET_COVERED)) {
    it.skip(`covers ${target} (skipped: ${why})`, () => {});
  }

  it("covers every target a stack file ships: resource types to read, or a stated reason there is nothing to read", () => {
    expect(SHIPPED_TARGETS).toEqual(expect.arrayContaining(["aws", "gcp", "kubernetes"]));
    for (const r of RULES)
      for (const target of SHIPPED_TARGETS) {
        const covered = (r.types[target]?.length ?? 0) > 0 || Boolean(r.notCheckable?.[target]);
        expect(covered, `${r.name} on ${target}`).toBe(true);
      }
  });

  it("has a passing and a failing fixture for every rule on every shipped target it reads", () => {
    for (const r of RULES)
      for (const target of SHIPPED_TARGETS)
        if (r.types[target]?.length)
          expect(
            FIXTURES.some((f) => f.rule === r.name && f.target === target),
            `${r.name} on ${target}`,
          ).toBe(true);
  });

  describe.each(FIXTURES.map((f) => [`${f.rule} (${f.target})`, f] as const))("%s", (_, fixture) => {
    it("passes its passing fixture", async () => {
      const result = await runPack([rule(fixture.rule)], fixture.passing);
      expect(result.violations).toEqual([]);
    });
    it("fails its failing fixture, naming the problem", async () => {
      const result = await runPack([rule(fixture.rule)], fixture.failing);
      expect(result.mandatory.length + result.advisory.length).toBeGreaterThan(0);
      expect(result.violations.map((v) => v.message)).toContainEqual(expect.stringMatching(fixture.message));
      expect(result.violations.every((v) => v.enforcementLevel === rule(fixture.rule).enforcementLevel)).toBe(true);
    });
  });

  it("turns a value unknown during preview into an advisory note, as the engine does", async () => {
    const result = await runPack(
      [rule("database-deletion-protection")],
      [res(AWS.rds, "db", { deletionProtection: unknownStringValue })],
    );
    expect(result.mandatory).toEqual([]);
    expect(result.advisory.map((v) => v.message)).toEqual([
      expect.stringMatching(
        /can't run policy 'database-deletion-protection' during preview: string value at \.deletionProtection can't be known during preview/,
      ),
    ]);
  });

  it("accepts a public plain-HTTP listener only when the stack's pack config allows it", async () => {
    const graph = [
      res(AWS.loadBalancer, "lb", { arn: "arn:lb", internal: false }),
      res(AWS.listener, "http", {
        loadBalancerArn: "arn:lb",
        protocol: "HTTP",
        defaultActions: [{ type: "fixed-response" }],
      }),
    ];
    expect((await runPack([rule("tls-in-transit")], graph)).mandatory).toHaveLength(1);
    expect(
      (await runPack([rule("tls-in-transit")], graph, { "tls-in-transit": { allowPlainHttp: true } })).mandatory,
    ).toEqual([]);
  });

  it("unwraps secret values the way the engine does before a rule reads them", async () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: false };
    const result = await runPack(
      [rule("database-deletion-protection")],
      [res(AWS.rds, "db", { deletionProtection: secret })],
    );
    expect(result.mandatory.map((v) => v.message)).toEqual(['Instance "db" has deletionProtection off']);
  });
});
