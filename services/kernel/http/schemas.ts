import { z } from "zod";

/** Schema pieces every service's routes share. */

export const uuid = () => z.uuid({ message: "must be a UUID" });

/** `?page=1&pageSize=20`: pages count from 1; at most 100 items a page. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};

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
