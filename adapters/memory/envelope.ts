import type { DeadLetter, Message } from "../core/message.js";

/**
 * A published message as the in-memory broker keeps it, shared by every subscription of the
 * topic. The body is kept as JSON text and parsed for each delivery, so a handler that
 * mutates its message cannot change what another subscription receives, and a body that
 * does not survive JSON (a Date, a Map) arrives as it would through a real broker.
 */
export interface Envelope {
  readonly id: string;
  readonly topic: string;
  readonly key: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
  /** Epoch ms. */
  readonly publishedAt: number;
  /** Not delivered before this epoch ms. */
  readonly availableAt: number;
  /** Not delivered at or after this epoch ms; `Infinity` without TTL. */
  readonly expiresAt: number;
}

export function toMessage(envelope: Envelope, attempt: number): Message<unknown> {
  return {
    id: envelope.id,
    topic: envelope.topic,
    key: envelope.key,
    headers: envelope.headers,
    body: JSON.parse(envelope.bodyText),
    attempt,
    publishedAt: new Date(envelope.publishedAt),
  };
}

export function toDeadLetter(envelope: Envelope, attempt: number, reason: string): DeadLetter<unknown> {
  return { ...toMessage(envelope, attempt), reason };
}
