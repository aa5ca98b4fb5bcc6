/**
 * How our envelope rides on a Pub/Sub message. The data is the JSON body, so other readers
 * see a plain message; the id (Pub/Sub assigns its own) and each header travel as
 * attributes (`tf-id`, `h.<name>`). Pub/Sub allows 100 attributes, keys up to 256 bytes
 * not starting with `goog`, values up to 1024 bytes. When a message's headers do not fit
 * those rules, the data becomes `{"headers":{...},"body":...}` and the attribute
 * `tf-enc=envelope` says so.
 */

export const ID_ATTRIBUTE = "tf-id";
export const KEY_ATTRIBUTE = "tf-key";
export const PUBLISHED_ATTRIBUTE = "tf-ts";
export const REASON_ATTRIBUTE = "tf-reason";
export const ATTEMPTS_ATTRIBUTE = "tf-attempts";
/** Set by Pub/Sub itself when its dead-letter policy forwards a message. */
export const SOURCE_DELIVERY_COUNT_ATTRIBUTE = "CloudPubSubDeadLetterSourceDeliveryCount";
export const ENCODING_ATTRIBUTE = "tf-enc";
const HEADER_PREFIX = "h.";
const ENVELOPE = "envelope";

export const ATTRIBUTE_KEY_MAX_BYTES = 256;
export const ATTRIBUTE_VALUE_MAX_BYTES = 1_024;
/** 100 attributes, less the fixed ones a dead letter carries (id, key, time, reason, attempts). */
export const HEADER_ATTRIBUTES_MAX = 95;

export interface EnvelopeMeta {
  readonly id: string;
  /** Only on dead letters: live messages carry the key as their ordering key. */
  readonly key?: string;
  readonly publishedAt?: Date;
  /** Only on dead letters. */
  readonly reason?: string;
  /** Only on dead letters: the deliveries it took before it was dead-lettered. */
  readonly attempts?: number;
}

export interface Encoded {
  readonly data: Buffer;
  readonly attributes: Record<string, string>;
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

function fitsAttributes(headers: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(headers);
  return (
    entries.length <= HEADER_ATTRIBUTES_MAX &&
    entries.every(
      ([name, value]) =>
        bytes(HEADER_PREFIX + name) <= ATTRIBUTE_KEY_MAX_BYTES && bytes(value) <= ATTRIBUTE_VALUE_MAX_BYTES,
    )
  );
}

/** Cuts text to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  let cut = text.slice(0, max);
  while (bytes(cut) > max) cut = cut.slice(0, -1);
  return cut;
}

/** `bodyJson` is the body already as JSON text, so it is serialized once. */
export function encodeMessage(
  meta: EnvelopeMeta,
  headers: Readonly<Record<string, string>>,
  bodyJson: string,
): Encoded {
  const attributes: Record<string, string> = { [ID_ATTRIBUTE]: truncateUtf8(meta.id, ATTRIBUTE_VALUE_MAX_BYTES) };
  if (meta.key) attributes[KEY_ATTRIBUTE] = meta.key;
  if (meta.publishedAt) attributes[PUBLISHED_ATTRIBUTE] = String(meta.publishedAt.getTime());
  if (meta.reason !== undefined) {
    attributes[REASON_ATTRIBUTE] = truncateUtf8(meta.reason || "(no reason given)", ATTRIBUTE_VALUE_MAX_BYTES);
  }
  if (meta.attempts !== undefined) attributes[ATTEMPTS_ATTRIBUTE] = String(meta.attempts);
  if (fitsAttributes(headers)) {
    for (const [name, value] of Object.entries(headers)) attributes[HEADER_PREFIX + name] = value;
    return { data: Buffer.from(bodyJson, "utf8"), attributes };
  }
  attributes[ENCODING_ATTRIBUTE] = ENVELOPE;
  return { data: Buffer.from(`{"headers":${JSON.stringify(headers)},"body":${bodyJson}}`, "utf8"), attributes };
}

export interface Decoded {
  readonly id: string | undefined;
  readonly key: string | undefined;
  readonly publishedAt: Date | undefined;
  readonly reason: string | undefined;
  /** Ours on a dead letter we wrote, or Pub/Sub's count on one its policy forwarded. */
  readonly attempts: number | undefined;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export function decodeMessage(
  data: Uint8Array | string | null | undefined,
  attributes: Record<string, string> = {},
): Decoded {
  const text = typeof data === "string" ? data : Buffer.from(data ?? new Uint8Array()).toString("utf8");
  const parsed: unknown = JSON.parse(text === "" ? "null" : text);
  let headers: Record<string, string> = {};
  let body = parsed;
  if (attributes[ENCODING_ATTRIBUTE] === ENVELOPE) {
    const envelope = parsed as { headers: Record<string, string>; body: unknown };
    headers = envelope.headers;
    body = envelope.body;
  } else {
    for (const [name, value] of Object.entries(attributes)) {
      if (name.startsWith(HEADER_PREFIX)) headers[name.slice(HEADER_PREFIX.length)] = value;
    }
  }
  const published = attributes[PUBLISHED_ATTRIBUTE];
  const attempts = attributes[ATTEMPTS_ATTRIBUTE] ?? attributes[SOURCE_DELIVERY_COUNT_ATTRIBUTE];
  return {
    id: attributes[ID_ATTRIBUTE],
    key: attributes[KEY_ATTRIBUTE],
    publishedAt: published ? new Date(Number(published)) : undefined,
    reason: attributes[REASON_ATTRIBUTE],
    attempts: attempts === undefined ? undefined : Number(attempts),
    headers,
    body,
  };
}

/** What Pub/Sub counts against its limit: data plus attribute keys and values. */
export function encodedSize(encoded: Encoded, orderingKey?: string): number {
  let size = encoded.data.length + (orderingKey ? bytes(orderingKey) : 0);
  for (const [name, value] of Object.entries(encoded.attributes)) size += bytes(name) + bytes(value);
  return size;
}
