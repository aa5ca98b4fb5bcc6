import type { BrokerCapabilities } from "./capabilities.js";
import { InvalidHeadersError, MessageTooLargeError, UnsupportedFeatureError } from "./errors.js";
import type { OutgoingMessage } from "./message.js";
import type { SubscribeOptions } from "./message-broker.js";

/**
 * The size every adapter limits on: UTF-8 bytes of the JSON body plus each header's name and
 * value. Adapters declare `maxMessageBytes` on this measure, leaving room for their own
 * encoding, so a limit means the same thing everywhere.
 */
export function messageSize(message: Pick<OutgoingMessage, "body" | "headers">, bodyJson?: string): number {
  let size = Buffer.byteLength(bodyJson ?? JSON.stringify(message.body ?? null), "utf8");
  const headers = message.headers;
  if (headers) {
    for (const name of Object.keys(headers)) {
      size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(headers[name]!, "utf8");
    }
  }
  return size;
}

/**
 * Checks a message against an adapter's declared limits and capabilities before any
 * network call. Throws the typed error that names the problem. `bodyJson` is the body as
 * `JSON.stringify` wrote it, for an adapter that serialized it already and should not pay twice.
 */
export function validateOutgoing(
  component: string,
  capabilities: BrokerCapabilities,
  message: OutgoingMessage,
  bodyJson?: string,
): void {
  if (message.body === undefined) {
    throw new InvalidHeadersError(component, "message body is undefined; publish a JSON value");
  }
  const headers = message.headers ?? {};
  const names = Object.keys(headers);
  if (names.length > capabilities.maxHeaders) {
    throw new InvalidHeadersError(
      component,
      `message has ${names.length} headers; the limit is ${capabilities.maxHeaders}`,
    );
  }
  for (const name of names) {
    if (name.length === 0) throw new InvalidHeadersError(component, "header names cannot be empty");
    if (typeof headers[name] !== "string") {
      throw new InvalidHeadersError(component, `header "${name}" must be a string, got ${typeof headers[name]}`);
    }
  }
  if (message.delayMs !== undefined) {
    if (!capabilities.delay) throw new UnsupportedFeatureError(component, "delayed delivery (delayMs)");
    if (!Number.isFinite(message.delayMs) || message.delayMs < 0) {
      throw new InvalidHeadersError(component, `delayMs must be a non-negative number, got ${message.delayMs}`);
    }
  }
  if (message.ttlMs !== undefined) {
    if (!capabilities.ttl) throw new UnsupportedFeatureError(component, "message TTL (ttlMs)");
    if (!Number.isFinite(message.ttlMs) || message.ttlMs <= 0) {
      throw new InvalidHeadersError(component, `ttlMs must be a positive number, got ${message.ttlMs}`);
    }
  }
  const size = messageSize(message, bodyJson);
  if (size > capabilities.maxMessageBytes) {
    throw new MessageTooLargeError(component, size, capabilities.maxMessageBytes);
  }
}

/**
 * Refuses subscription options that need a capability the adapter does not declare, so a
 * caller learns at subscribe time instead of by a guarantee silently missing later.
 */
export function validateSubscribeOptions(
  component: string,
  capabilities: BrokerCapabilities,
  options: SubscribeOptions = {},
): void {
  if (options.ordered === true && !capabilities.ordering) {
    throw new UnsupportedFeatureError(component, "ordered subscriptions (ordered: true)");
  }
  if (options.lockMs !== undefined && !capabilities.visibilityTimeout) {
    throw new UnsupportedFeatureError(component, "a lock or visibility time (lockMs)");
  }
  if (options.renewLock === true && !capabilities.lockRenewal) {
    throw new UnsupportedFeatureError(component, "lock renewal (renewLock: true)");
  }
  if (options.fromBeginning === true && !capabilities.historyReplay) {
    throw new UnsupportedFeatureError(component, "history replay (fromBeginning: true)");
  }
}
