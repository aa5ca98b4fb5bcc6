import type { RecordedResource } from "./mocks.js";

/** Lookups over the resources a mocked stack registered. */
export class Graph {
  constructor(readonly resources: readonly RecordedResource[]) {}

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The resource of `type` with logical name `name`; throws naming what is missing. */
  named(type: string, name: string): RecordedResource {
    const found = this.resources.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`[taskflow] [graph] no ${type} named "${name}"`);
    return found;
  }

  maybeNamed(type: string, name: string): RecordedResource | undefined {
    return this.resources.find((r) => r.type === type && r.name === name);
  }

  /** The resource of `type` whose output `key` equals `value` (an ARN, an id, a URL). */
  withOutput(type: string, key: string, value: unknown): RecordedResource | undefined {
    return this.resources.find((r) => r.type === type && (key === "id" ? r.id : r.state[key]) === value);
  }

  countsByType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return counts;
  }
}

/** Reads a nested property path from plain mock data. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function parseJson(value: unknown, what: string): unknown {
  if (typeof value !== "string") throw new Error(`[taskflow] [graph] ${what} is not a JSON string`);
  return JSON.parse(value);
}

export const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];
