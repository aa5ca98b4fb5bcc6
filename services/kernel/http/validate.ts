import type { z } from "zod";
import { type FieldError, ValidationError } from "../errors.js";

/**
 * Parses one part of a request with its schema. Every problem is reported at once, each
 * naming the field as `<part>.<path>` (e.g. `body.title`, `query.pageSize`).
 */
export function parsePart<T>(part: "params" | "query" | "body" | "headers", schema: z.ZodType<T>, value: unknown): T {
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
