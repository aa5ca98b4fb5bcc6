import type { Message as AmqpMessage, Options } from "amqplib";
import { InvalidHeadersError } from "../core/errors.js";
import type { DeadLetter, Message, OutgoingMessage } from "../core/message.js";
import { COMPONENT } from "./names.js";

/** What the adapter keeps in AMQP headers beside the caller's own. */
export const HEADER = {
  attempt: "x-taskflow-attempt",
  key: "x-taskflow-key",
  publishedAt: "x-taskflow-published-at",
  reason: "x-taskflow-reason",
} as const;

const OWN_PREFIX = "x-taskflow-";

/**
 * Header names RabbitMQ itself reads or writes: `CC`/`BCC` would reroute the message, and the
 * `x-death` family belongs to dead-lettering.
 */
const BROKER_HEADERS = ["CC", "BCC", "x-death", "x-delivery-count"];
const BROKER_PREFIXES = ["x-first-death-", "x-last-death-"];

/**
 * amqplib encodes all properties into one 64 KiB buffer; headers get half of it so the adapter's
 * own headers and the other properties always fit.
 */
export const MAX_HEADER_BYTES = 32_768;

function isBrokerHeader(name: string): boolean {
  return BROKER_HEADERS.includes(name) || BROKER_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** The adapter's or the broker's own header; checked per header on every message, so kept cheap. */
function isReserved(name: string): boolean {
  const first = name.charCodeAt(0);
  // Only names starting with "x", "C" or "B" can be reserved.
  if (first !== 120 && first !== 67 && first !== 66) return false;
  return name.startsWith(OWN_PREFIX) || isBrokerHeader(name);
}

/** Refuses header names that collide with the adapter's or the broker's, and oversized tables. */
export function checkHeaders(headers: Readonly<Record<string, string>>): void {
  let bytes = 0;
  for (const name in headers) {
    const value = headers[name]!;
    if (isReserved(name)) {
      throw new InvalidHeadersError(COMPONENT, `header "${name}" is reserved by the adapter or by RabbitMQ`);
    }
    if (Buffer.byteLength(name, "utf8") > 255) {
      throw new InvalidHeadersError(COMPONENT, `header name "${name.slice(0, 40)}..." is longer than 255 bytes`);
    }
    bytes += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value, "utf8") + 6;
  }
  if (bytes > MAX_HEADER_BYTES) {
    throw new InvalidHeadersError(COMPONENT, `headers take ${bytes} bytes; the limit is ${MAX_HEADER_BYTES}`);
  }
}

export interface EncodedMessage {
  readonly content: Buffer;
  readonly options: Options.Publish;
}

/**
 * An outgoing message as AMQP content and properties: id and headers become properties. The
 * topic is not carried (a subscription's queue is bound to one topic) and a missing attempt
 * count means the first, so a first publish adds as little as it can to every message.
 */
export function encodeOutgoing(message: OutgoingMessage, id: string, now: Date): EncodedMessage {
  const headers: Record<string, string> = { ...message.headers };
  // A string, not a number: amqplib writes a millisecond time as a 64-bit integer through a
  // BigInt on both ends, which costs more than the few bytes a string does.
  headers[HEADER.publishedAt] = String(now.getTime());
  if (message.key !== undefined) headers[HEADER.key] = message.key;
  const options: Options.Publish = { messageId: id, contentType: "application/json", persistent: true, headers };
  if (message.ttlMs !== undefined) options.expiration = String(Math.max(1, Math.round(message.ttlMs)));
  return { content: Buffer.from(JSON.stringify(message.body), "utf8"), options };
}

function headerText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Buffer.isBuffer(value)) return value.toString("utf8");
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The caller's headers of a delivery, without the adapter's and the broker's own. */
export function userHeaders(raw: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in raw) {
    if (!isReserved(name)) headers[name] = headerText(raw[name]);
  }
  return headers;
}

function numberHeader(value: unknown): number | undefined {
  const number = typeof value === "number" ? value : Number(headerText(value));
  return Number.isFinite(number) && headerText(value) !== "" ? number : undefined;
}

/**
 * The attempt this delivery is: the count the adapter carried on its last republish, plus one
 * when RabbitMQ says the same copy was handed out before (a consumer died holding it).
 */
export function deliveryAttempt(raw: Readonly<Record<string, unknown>> | undefined, redelivered: boolean): number {
  const carried = numberHeader(raw?.[HEADER.attempt]);
  const base = carried !== undefined && carried >= 1 ? Math.floor(carried) : 1;
  return base + (redelivered ? 1 : 0);
}

/** Thrown for a delivery that is not a JSON message; the consumer dead-letters it. */
export class UndecodableMessageError extends Error {}

export function decodeDelivery<T>(delivery: AmqpMessage, topic: string): Message<T> {
  let body: T;
  try {
    body = JSON.parse(delivery.content.toString("utf8")) as T;
  } catch (error) {
    throw new UndecodableMessageError(`content is not JSON: ${(error as Error).message}`);
  }
  return envelope(delivery, topic, body);
}

function envelope<T>(delivery: AmqpMessage, topic: string, body: T): Message<T> {
  const raw = delivery.properties.headers as Record<string, unknown> | undefined;
  const publishedMs = numberHeader(raw?.[HEADER.publishedAt]);
  const timestamp = numberHeader(delivery.properties.timestamp);
  const key = raw?.[HEADER.key];
  return {
    id: headerText(delivery.properties.messageId) || `${topic}:${delivery.fields.deliveryTag}`,
    topic,
    ...(key === undefined ? {} : { key: headerText(key) }),
    headers: userHeaders(raw),
    body,
    attempt: deliveryAttempt(raw, delivery.fields.redelivered),
    publishedAt: new Date(publishedMs ?? (timestamp === undefined ? Date.now() : timestamp * 1000)),
  };
}

/** Why a message reached the dead-letter queue: the adapter's reason, else RabbitMQ's own. */
export function deadLetterReason(raw: Readonly<Record<string, unknown>> | undefined): string {
  const own = raw?.[HEADER.reason];
  if (own !== undefined) return headerText(own);
  const broker = raw?.["x-first-death-reason"];
  return broker === undefined ? "dead-lettered by the broker" : `${headerText(broker)} by the broker`;
}

export function decodeDeadLetter<T>(delivery: AmqpMessage, topic: string): DeadLetter<T> {
  const raw = delivery.properties.headers as Record<string, unknown> | undefined;
  const text = delivery.content.toString("utf8");
  let body: T;
  try {
    body = JSON.parse(text) as T;
  } catch {
    // A message dead-lettered because it was not JSON still comes back, as its text.
    body = text as T;
  }
  // A dead letter reports the attempt it was last handled at, not one more.
  return {
    ...envelope(delivery, topic, body),
    attempt: deliveryAttempt(raw, false),
    reason: deadLetterReason(raw),
  };
}

/**
 * Properties for republishing a delivery (to a retry tier or the dead-letter exchange): the
 * same id, body type and caller headers, a new attempt count and, for a dead letter, a reason.
 * RabbitMQ's `x-death` history is dropped so that it does not grow with every retry.
 */
export function republishOptions(delivery: AmqpMessage, attempt: number, reason?: string): Options.Publish {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(delivery.properties.headers ?? {})) {
    if (!isBrokerHeader(name)) headers[name] = value;
  }
  headers[HEADER.attempt] = attempt;
  if (reason !== undefined) headers[HEADER.reason] = reason;
  // A retry or a dead letter must land in its queue: an unroutable one fails, not vanishes.
  const options: Options.Publish = { persistent: true, mandatory: true, headers };
  const { messageId, contentType, timestamp, correlationId, type, appId } = delivery.properties;
  if (messageId !== undefined) options.messageId = messageId;
  if (contentType !== undefined) options.contentType = contentType;
  if (timestamp !== undefined) options.timestamp = timestamp;
  if (correlationId !== undefined) options.correlationId = correlationId;
  if (type !== undefined) options.type = type;
  if (appId !== undefined) options.appId = appId;
  return options;
}
