import { z } from "zod";

/** Schema pieces every service's routes share. */

/**
 * The rule every string a request carries (body fields and keys, path ids, query values) must
 * meet, checked for every route before its own schema (`validate.ts`): no NUL character and
 * no unpaired UTF-16 surrogate. PostgreSQL stores neither (SQLSTATE 22021 / 22P05), so such a
 * string would otherwise fail only at the database, as a 500 instead of a 400 naming the field.
 */
export const STORABLE_TEXT = /^(?:[^\0\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/;
export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL characters or unpaired surrogates";

/** Fields (`<part>.<path>`) of `value` whose strings break `STORABLE_TEXT`, at most `max` of them. */
export function unstorableFields(part: string, value: unknown, max = 20): string[] {
  const found: string[] = [];
  const pending: [unknown, string][] = [[value, part]];
  while (pending.length > 0 && found.length < max) {
    const [item, path] = pending.pop()!;
    if (typeof item === "string") {
      if (!STORABLE_TEXT.test(item)) found.push(path);
    } else if (Array.isArray(item)) {
      for (const [i, child] of item.entries()) pending.push([child, `${path}.${i}`]);
    } else if (item !== null && typeof item === "object") {
      for (const [key, child] of Object.entries(item)) {
        if (!STORABLE_TEXT.test(key)) found.push(`${path}.${JSON.stringify(key)}`);
        else pending.push([child, `${path}.${key}`]);
      }
    }
  }
  return found;
}

export const uuid = () => z.uuid({ message: "must be a UUID" });

/** `?page=1&pageSize=20`: pages count from 1; at most 100 items a page. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};

export interface Page<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pageSize: number;
  readonly total: number;
}

/** The paged-list shape `{ items, page, pageSize, total }` of an item schema. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    pageSize: z.number().int(),
    total: z.number().int(),
  });
}

/** RFC 9457 problem document, as `http/problem.ts` writes it. */
export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** Optional client-chosen command id: the same id never acts twice (idempotent commands). */
export const commandId = z
  .string()
  .min(1)
  .max(100)
  .optional()
  .describe("Client-chosen command id; a repeat returns the first result");

/** ISO 8601 date-time string as the API writes it. */
export const isoDateTime = () => z.iso.datetime({ offset: true });
