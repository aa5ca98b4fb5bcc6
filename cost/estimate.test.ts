import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { NOT_YET_COVERED } from "../policy/coverage.js";
import { buildStackFile, listStackFiles, readStackConfig } from "../policy/stack-files.js";
import { cores, estimate, FREE, gib, PRICED_TYPES, regionOf, unpriced } from "./estimate.js";
import { PRICE_TABLES, type Price } from "./prices.js";
import { costDocument, estimateBuilt, type StackEstimate } from "./report.js";

const all = await listStackFiles();
const providers = await Promise.all(all.map(async (s) => (await readStackConfig(s))["taskflow:cloudProvider"] ?? ""));
const stacks = all.filter((_, i) => !(providers[i]! in NOT_YET_COVERED));
const uncovered = all.map((stack, i) => [stack, NOT_YET_COVERED[providers[i]!]] as const).filter(([, why]) => why);

describe("cost estimate", () => {
  it.skip.each(uncovered)("prices every billable resource type of stacks/Pulumi.%s.yaml (skipped: %s)", () => {});

  // Kept from the per-stack tests, so the docs/cost.md check below builds nothing again.
  const estimates = new Map<string, StackEstimate>();

  it.each(stacks)("prices every billable resource type of stacks/Pulumi.%s.yaml", async (stack) => {
    const built = await buildStackFile(stack);
    estimates.set(stack, estimateBuilt(built));
    expect(unpriced(built.provider, built.resources)).toEqual([]);
    const region = regionOf(built.provider, built.config);
    const result = estimate(built.provider, region, built.resources);
    expect(result.total.min).toBeGreaterThan(0);
    expect(result.total.max).toBeGreaterThanOrEqual(result.total.min);
  });

  it("docs/cost.md is what `npm run docs:cost` writes now (regenerate it after a change to a stack, price or pricer)", async () => {
    expect([...estimates.keys()], "every stack estimated above").toEqual(stacks);
    const committed = await readFile(new URL("../docs/cost.md", import.meta.url), "utf8");
    expect(committed).toBe(await costDocument(stacks.map((s) => estimates.get(s) as StackEstimate)));
  });

  it("fails on a resource type with neither a price nor a reason to be free", () => {
    const graph = [{ type: "aws:rds/cluster:Cluster", name: "aurora", inputs: {}, state: {} }];
    expect(unpriced("aws", graph)).toEqual(["aws:rds/cluster:Cluster"]);
    expect(() => estimate("aws", "eu-west-1", graph)).toThrow(/no price for aws:rds\/cluster:Cluster/);
  });

  it("names the regions it has when a stack's region has no price table", () => {
    expect(() => estimate("aws", "us-east-1", [])).toThrow(
      /no price table for aws in us-east-1; cost\/prices.ts has eu-west-1/,
    );
  });

  it("prices Multi-AZ RDS as two instances and scales Fargate with the task count", () => {
    const graph = [
      {
        type: "aws:rds/instance:Instance",
        name: "db",
        inputs: {},
        state: { instanceClass: "db.t4g.micro", multiAz: true, allocatedStorage: 20 },
      },
      {
        type: "aws:ecs/taskDefinition:TaskDefinition",
        name: "t",
        inputs: {},
        state: { arn: "arn:t", cpu: "1024", memory: "2048" },
      },
      { type: "aws:ecs/service:Service", name: "s", inputs: {}, state: { name: "s", taskDefinition: "arn:t" } },
      {
        type: "aws:appautoscaling/target:Target",
        name: "a",
        inputs: {},
        state: { resourceId: "service/c/s", minCapacity: 1, maxCapacity: 4 },
      },
    ];
    const result = estimate("aws", "eu-west-1", graph);
    const db = result.lines.find((l) => l.item.startsWith("db.t4g.micro"));
    expect(db?.min).toBeCloseTo(2 * 0.018 * 730, 5);
    const cpu = result.lines.find((l) => l.item.startsWith("Fargate 1 vCPU"));
    expect(cpu?.max).toBeCloseTo(4 * (cpu?.min ?? 0), 5);
  });

  it("gives every price a source page and the date it was read", () => {
    for (const table of Object.values(PRICE_TABLES))
      for (const prices of Object.values(table))
        for (const price of Object.values(prices) as Price[]) {
          expect(price.source).toMatch(/^https:\/\//);
          expect(price.read).toMatch(/^list price as of [A-Z][a-z]+ \d{4}$/);
        }
  });

  it("never lists a type both as priced and as free", () => {
    for (const types of Object.values(PRICED_TYPES)) for (const t of types) expect(FREE[t]).toBeUndefined();
  });

  it("reads Kubernetes quantities", () => {
    expect(gib("512Mi")).toBe(0.5);
    expect(gib("2Gi")).toBe(2);
    expect(cores("250m")).toBe(0.25);
    expect(() => gib("2G")).toThrow(/cannot read the memory quantity "2G"/);
  });
});
