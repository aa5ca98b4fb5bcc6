import { InvalidHeadersError } from "../core/errors.js";
import type { DeadLetter, Message, OutgoingMessage } from "../core/message.js";
import type { SbOutgoingMessage, SbReceivedMessage } from "./client.js";
import { COMPONENT } from "./provider-errors.js";

/**
 * How our envelope rides on a Service Bus message: the id is `messageId` (which duplicate
 * detection keys on), the body is JSON bytes, headers are application properties, the
 * ordering key is the session id, TTL and delay are `timeToLive` and
 * `scheduledEnqueueTimeUtc`. The publish time travels as a reserved property, because
 * `enqueuedTimeUtc` of a delayed message is when it became visible.
 */
export const RESERVED_PREFIX = "taskflow-";
export const PUBLISHED_PROPERTY = "taskflow-published-at";
/** Stamped on a message as it is dead-lettered: the attempts it had. */
export const ATTEMPTS_PROPERTY = "taskflow-attempts";
/** Service Bus limits message and session ids to 128 characters. */
const MAX_ID_LENGTH = 128;

export function toServiceBusMessage(id: string, message: OutgoingMessage, now = new Date()): SbOutgoingMessage {
  const applicationProperties: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new InvalidHeadersError(COMPONENT, `header "${name}" uses the reserved prefix "${RESERVED_PREFIX}"`);
    }
    applicationProperties[name] = value;
  }
  applicationProperties[PUBLISHED_PROPERTY] = String(now.getTime());
  if (id.length > MAX_ID_LENGTH) {
    throw new InvalidHeadersError(COMPONENT, `message id is longer than ${MAX_ID_LENGTH} characters`);
  }
  const key = message.key === undefined || message.key === "" ? undefined : message.key;
  if (key !== undefined && key.length > MAX_ID_LENGTH) {
    throw new InvalidHeadersError(COMPONENT, `ordering key is longer than ${MAX_ID_LENGTH} characters`);
  }
  return {
    messageId: id,
    body: Buffer.from(JSON.stringify(message.body), "utf8"),
    contentType: "application/json",
    applicationProperties,
    // A topic may feed a session-enabled (ordered) subscription, which only takes messages
    // with a session id; a message without a key gets a session of its own.
    sessionId: key ?? id,
    ...(message.ttlMs === undefined ? {} : { timeToLive: message.ttlMs }),
    ...(message.delayMs === undefined ? {} : { scheduledEnqueueTimeUtc: new Date(now.getTime() + message.delayMs) }),
  };
}

export function fromServiceBusMessage<T>(topic: string, received: SbReceivedMessage): Message<T> {
  const headers: Record<string, string> = {};
  let publishedAt = received.enqueuedTimeUtc ?? new Date(0);
  for (const [name, value] of Object.entries(received.applicationProperties ?? {})) {
    if (name === PUBLISHED_PROPERTY) publishedAt = new Date(Number(value));
    else if (!name.startsWith(RESERVED_PREFIX))
      headers[name] = value instanceof Date ? value.toISOString() : String(value ?? "");
  }
  const id =
    received.messageId === undefined
      ? ""
      : Buffer.isBuffer(received.messageId)
        ? received.messageId.toString("hex")
        : String(received.messageId);
  // A keyless message's session id is its own id, which is no ordering key.
  const key = received.sessionId !== undefined && received.sessionId !== id ? received.sessionId : undefined;
  return {
    id,
    topic,
    ...(key === undefined ? {} : { key }),
    headers,
    body: decodeBody<T>(received.body),
    attempt: (received.deliveryCount ?? 0) + 1,
    publishedAt,
  };
}

/** Service Bus records why a message was dead-lettered as properties; they are not our headers. */
const DEAD_LETTER_PROPERTIES = ["DeadLetterReason", "DeadLetterErrorDescription"];

export function fromDeadLetter<T>(topic: string, received: SbReceivedMessage): DeadLetter<T> {
  const message = fromServiceBusMessage<T>(topic, received);
  const attempts = Number(received.applicationProperties?.[ATTEMPTS_PROPERTY]);
  const headers = Object.fromEntries(
    Object.entries(message.headers).filter(([name]) => !DEAD_LETTER_PROPERTIES.includes(name)),
  );
  return {
    ...message,
    headers,
    // Reading from the dead-letter queue is a delivery too; the count we stamped is exact.
    attempt: Number.isInteger(attempts) && attempts > 0 ? attempts : message.attempt,
    reason: received.deadLetterReason ?? "(no reason recorded)",
  };
}

/** Our own messages are JSON bytes; a string body (another producer) is tried as JSON. */
function decodeBody<T>(body: unknown): T {
  try {
    if (Buffer.isBuffer(body) || body instanceof Uint8Array) return JSON.parse(Buffer.from(body).toString("utf8")) as T;
    if (typeof body === "string") return JSON.parse(body) as T;
  } catch (error) {
    throw new InvalidBodyError("message body is not JSON", { cause: error });
  }
  return body as T;
}

/** A message this adapter cannot decode; it is dead-lettered, never retried. */
export class InvalidBodyError extends Error {
  override readonly name = "InvalidBodyError";
}
