import type { z } from "zod";
import { type FieldError, ValidationError } from "../errors.js";
import { UNSTORABLE_TEXT_MESSAGE, unstorableFields } from "./schemas.js";

/**
 * Parses one part of a request with its schema. Every problem is reported at once, each
 * naming the field as `<part>.<path>` (e.g. `body.title`, `query.pageSize`).
 */
export function parsePart<T>(part: "params" | "query" | "body" | "headers", schema: z.ZodType<T>, value: unknown): T {
  assertStorable(part, value);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    `the request ${part === "body" ? "body" : part} is invalid`,
    fieldErrors(part, result.error),
  );
}

export function fieldErrors(part: string, error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        field: [part, ...issue.path.map(String), key].join("."),
        message: "is not a known field",
      }));
    }
    return [{ field: [part, ...issue.path.map(String)].join("."), message: issue.message }];
  });
}

/** The 400 for strings no database can hold (`STORABLE_TEXT`), naming each field. */
export function assertStorable(part: string, value: unknown): void {
  const unstorable = unstorableFields(part, value);
  if (unstorable.length > 0) {
    throw new ValidationError(
      `the request ${part} holds text that cannot be stored`,
      unstorable.map((field) => ({ field, message: UNSTORABLE_TEXT_MESSAGE })),
    );
  }
}

/**
 * JSON bodies nest at most this deep. No route's schema goes past a handful of levels, and a
 * body nested thousands deep (a few KB) overflows the stack of any recursive walk over it
 * (serialising it again, validating it) as a 500 instead of a 400.
 */
export const MAX_JSON_DEPTH = 32;

/** Whether `value` nests deeper than `max` (walked without recursion). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== "object") continue;
    if (depth > max) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}
