import { InvalidHeadersError } from "../core/errors.js";
import type { DeadLetter, Message, OutgoingMessage } from "../core/message.js";
import type { KafkaHeaders, KafkaOutgoingRecord, KafkaReceivedRecord } from "./client.js";
import { COMPONENT } from "./provider-errors.js";

/**
 * How our envelope rides on a Kafka record: the body is the JSON value, the ordering key is
 * the record key (so one key always lands on one partition), the publish time is the record
 * timestamp, and the message id and dead-letter reason travel as headers under a reserved
 * prefix. Kafka headers are bytes; ours are UTF-8 strings.
 */
export const RESERVED_PREFIX = "taskflow-";
export const ID_HEADER = "taskflow-id";
export const REASON_HEADER = "taskflow-dead-letter-reason";
export const ATTEMPTS_HEADER = "taskflow-attempts";

export function toRecord(id: string, message: OutgoingMessage, publishedAt = new Date()): KafkaOutgoingRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new InvalidHeadersError(COMPONENT, `header "${name}" uses the reserved prefix "${RESERVED_PREFIX}"`);
    }
    headers[name] = value;
  }
  headers[ID_HEADER] = id;
  return {
    key: message.key === undefined || message.key === "" ? null : message.key,
    value: JSON.stringify(message.body),
    headers,
    timestamp: String(publishedAt.getTime()),
  };
}

/** The same record re-addressed to a dead-letter topic, keeping key, time and headers. */
export function toDeadLetterRecord(record: KafkaReceivedRecord, reason: string, attempts: number): KafkaOutgoingRecord {
  const headers = headerStrings(record.headers);
  headers[REASON_HEADER] = reason || "(no reason given)";
  headers[ATTEMPTS_HEADER] = String(attempts);
  return {
    key: record.key === null ? null : record.key.toString("utf8"),
    value: record.value === null ? "null" : record.value.toString("utf8"),
    headers,
    timestamp: record.timestamp,
  };
}

/** Kafka allows a name to repeat; the last value wins, as with an HTTP header set twice. */
export function headerStrings(headers: KafkaHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value === undefined) continue;
    result[name] = typeof value === "string" ? value : value.toString("utf8");
  }
  return result;
}

/**
 * A received record as our envelope. A record without our id header (written by another
 * producer) gets `<topic>/<partition>/<offset>`, which is as stable as the record itself.
 */
export function fromRecord<T>(
  topic: string,
  partition: number,
  record: KafkaReceivedRecord,
  attempt: number,
): Message<T> {
  const all = headerStrings(record.headers);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (!name.startsWith(RESERVED_PREFIX)) headers[name] = value;
  }
  let body: T;
  try {
    body = JSON.parse(record.value === null ? "null" : record.value.toString("utf8")) as T;
  } catch (error) {
    throw new InvalidRecordError(`record ${topic}/${partition}/${record.offset} is not JSON`, { cause: error });
  }
  const key = record.key === null ? undefined : record.key.toString("utf8");
  return {
    id: all[ID_HEADER] ?? `${topic}/${partition}/${record.offset}`,
    topic,
    ...(key === undefined ? {} : { key }),
    headers,
    body,
    attempt,
    publishedAt: new Date(Number(record.timestamp)),
  };
}

export function fromDeadLetterRecord<T>(topic: string, partition: number, record: KafkaReceivedRecord): DeadLetter<T> {
  const all = headerStrings(record.headers);
  const attempts = Number(all[ATTEMPTS_HEADER] ?? "1");
  return {
    ...fromRecord<T>(topic, partition, record, Number.isFinite(attempts) ? attempts : 1),
    reason: all[REASON_HEADER] ?? "(no reason recorded)",
  };
}

/** A record this adapter cannot turn into a message; it is dead-lettered, never retried. */
export class InvalidRecordError extends Error {
  override readonly name = "InvalidRecordError";
}
