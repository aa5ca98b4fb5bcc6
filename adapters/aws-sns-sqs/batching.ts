/** SNS PublishBatch takes at most 10 entries and 256 KiB in total per call. */
export const SNS_BATCH_MAX_ENTRIES = 10;
export const SNS_MAX_PAYLOAD_BYTES = 262_144;

export interface SizedEntry {
  readonly index: number;
  readonly bytes: number;
}

/**
 * Splits entries, in order, into calls of at most `maxEntries` entries and `maxBytes` bytes.
 * A single entry over `maxBytes` never reaches here: it fails validation first.
 */
export function chunkBatch<E extends SizedEntry>(
  entries: readonly E[],
  maxEntries = SNS_BATCH_MAX_ENTRIES,
  maxBytes = SNS_MAX_PAYLOAD_BYTES,
): E[][] {
  const chunks: E[][] = [];
  let current: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    if (current.length > 0 && (current.length >= maxEntries || bytes + entry.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
