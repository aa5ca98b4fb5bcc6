import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SKIP_EXIT_CODE } from "./lib/skip.js";

/**
 * `npm run bench [name ...]`: runs every `bench/*.bench.ts` (or only those named, e.g.
 * `npm run bench -- cache`) one after another, each in its own Node process so that one
 * bench's heap, timers and connections never disturb the next. A bench whose server is down
 * exits with `SKIP_EXIT_CODE` and counts as skipped; any other failure fails the run.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = join(BENCH_DIR, "..");
const SUFFIX = ".bench.ts";

type Outcome = "passed" | "skipped" | "failed";

async function listBenches(only: readonly string[]): Promise<string[]> {
  const files = (await readdir(BENCH_DIR)).filter((file) => file.endsWith(SUFFIX)).sort();
  if (only.length === 0) return files;
  const wanted = new Set(only.map((name) => basename(name).replace(SUFFIX, "")));
  const unknown = [...wanted].filter((name) => !files.includes(`${name}${SUFFIX}`));
  if (unknown.length > 0) {
    const known = files.map((file) => file.replace(SUFFIX, "")).join(", ") || "none";
    throw new Error(`[taskflow] [bench] no bench named ${unknown.join(", ")}; known: ${known}`);
  }
  return files.filter((file) => wanted.has(file.replace(SUFFIX, "")));
}

function runOne(file: string): Promise<{ outcome: Outcome; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(BENCH_DIR, file)], {
      cwd: ROOT,
      stdio: "inherit",
      env: process.env,
    });
    child.once("error", (error) => {
      console.error(`[taskflow] [bench] cannot start ${file}: ${error.message}`);
      resolve({ outcome: "failed", seconds: (performance.now() - started) / 1000 });
    });
    child.once("exit", (code, signal) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve({ outcome: "passed", seconds });
      else if (code === SKIP_EXIT_CODE) resolve({ outcome: "skipped", seconds });
      else {
        console.error(`[taskflow] [bench] ${file} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`);
        resolve({ outcome: "failed", seconds });
      }
    });
  });
}

async function main(): Promise<number> {
  const benches = await listBenches(process.argv.slice(2));
  if (benches.length === 0) {
    console.log("[bench] no bench files found");
    return 0;
  }
  const summary: string[] = [];
  let failed = 0;
  for (const file of benches) {
    console.log(`\n[bench] ${file}`);
    const { outcome, seconds } = await runOne(file);
    if (outcome === "failed") failed++;
    summary.push(`  ${outcome.padEnd(7)} ${file} (${seconds.toFixed(1)} s)`);
  }
  console.log(`\n[bench] summary\n${summary.join("\n")}`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
