import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** What one fault did to one adapter, for the capability matrix. */
export interface FaultResult {
  readonly fault: string;
  /** Acknowledged publishes never handled. */
  readonly lost: number;
  /** Deliveries beyond the first of each message. */
  readonly duplicates: number;
  /** From the fault's end (or the kill) to the first message handled again, in ms. */
  readonly recoveryMs?: number;
  readonly note?: string;
}

/** Where test runs leave fault results; `npm run docs:capabilities` reads them. */
export const FAULT_RESULTS_DIR = join(".taskflow", "fault-results");

const fileOf = (suite: string) => join(FAULT_RESULTS_DIR, `${suite.replace(/[^A-Za-z0-9-]+/g, "_")}.json`);

/** Records one result, replacing an earlier one for the same suite and fault. */
export function recordFault(suite: string, result: FaultResult): void {
  mkdirSync(FAULT_RESULTS_DIR, { recursive: true });
  const results = readFaults(suite).filter((r) => r.fault !== result.fault);
  results.push(result);
  writeFileSync(fileOf(suite), `${JSON.stringify({ suite, results }, null, 2)}\n`);
}

export function readFaults(suite: string): FaultResult[] {
  try {
    return (JSON.parse(readFileSync(fileOf(suite), "utf8")) as { results: FaultResult[] }).results;
  } catch {
    return [];
  }
}

/** Deliveries beyond the first per id. */
export function countDuplicates(ids: readonly string[]): number {
  return ids.length - new Set(ids).size;
}
