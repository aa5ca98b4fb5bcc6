import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * One measured figure. When `baseline` is given, `ratio` is `value / baseline.value`, so for a
 * cost unit (µs/op) below 1 means faster than the baseline, and for a throughput unit (ops/s)
 * above 1 means faster. The unit says which kind a figure is.
 */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly ratio?: number;
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly node: string;
  readonly results: readonly BenchResult[];
}

/** Where reports land: `bench/results/`, next to this folder. */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/** Four significant digits (whole numbers from 1000 up): readable, and no real difference hidden. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 1000 ? Math.round(value) : Number(value.toPrecision(4));
}

/** Fills in `ratio` from the baseline where the caller did not compute it. */
export function withRatios(results: readonly BenchResult[]): BenchResult[] {
  return results.map((result) => {
    const value = round(result.value);
    if (!result.baseline) return { name: result.name, value, unit: result.unit };
    const baseline = { name: result.baseline.name, value: round(result.baseline.value) };
    const ratio = round(result.ratio ?? result.value / result.baseline.value);
    return { name: result.name, value, unit: result.unit, baseline, ratio };
  });
}

export function renderMarkdown(name: string, report: BenchReport): string {
  const lines = [
    `# Benchmark: ${name}`,
    "",
    `Generated ${report.generatedAt} on Node ${report.node}. Ratio = value / baseline, both measured in the same run.`,
    "",
    "| name | value | unit | baseline | ratio |",
    "|---|---:|---|---|---:|",
  ];
  for (const result of report.results) {
    const baseline = result.baseline ? `${result.baseline.name} (${result.baseline.value})` : "";
    const ratio = result.ratio === undefined ? "" : String(result.ratio);
    lines.push(`| ${result.name} | ${result.value} | ${result.unit} | ${baseline} | ${ratio} |`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes `bench/results/<name>.json` and `bench/results/<name>.md` and returns the report.
 * `dir` exists for tests.
 */
export async function writeReport(
  name: string,
  results: readonly BenchResult[],
  dir: string = RESULTS_DIR,
): Promise<BenchReport> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`[taskflow] [bench] report name "${name}" must be kebab-case letters and digits`);
  }
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    results: withRatios(results),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, `${name}.md`), renderMarkdown(name, report));
  return report;
}
