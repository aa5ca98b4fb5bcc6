/**
 * How our envelope rides on SNS/SQS message attributes. Both services allow 10 attributes per
 * message, non-empty string values, and names of letters, digits, `_`, `-` and `.`. The
 * message id, publish time and key take fixed attributes; each header whose name and value
 * fit the rules gets an attribute `h.<name>` while slots last, and the rest are packed as one
 * JSON attribute, so any number of headers up to the declared `maxHeaders` survives.
 */

export interface StringAttribute {
  DataType: string;
  StringValue?: string;
}

export type Attributes = Record<string, StringAttribute>;

export const ATTRIBUTE_LIMIT = 10;
export const ID_ATTRIBUTE = "tf-id";
export const PUBLISHED_ATTRIBUTE = "tf-ts";
export const KEY_ATTRIBUTE = "tf-key";
export const PACKED_ATTRIBUTE = "tf-h";
export const REASON_ATTRIBUTE = "tf-reason";
export const ATTEMPTS_ATTRIBUTE = "tf-attempts";
const HEADER_PREFIX = "h.";

export interface EnvelopeMeta {
  readonly id: string;
  readonly key?: string;
  readonly publishedAt: Date;
  /** Only on dead letters. */
  readonly reason?: string;
  /** Only on dead letters: the deliveries it took before it was dead-lettered. */
  readonly attempts?: number;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
// Characters SQS accepts in strings (its XML-derived set); anything else must be escaped.
const UNSAFE_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const JSON_UNSAFE = /[\uFFFE\uFFFF]/g;

function fitsAttribute(name: string, value: string): boolean {
  return (
    name.length + HEADER_PREFIX.length <= 256 &&
    ATTRIBUTE_NAME.test(name) &&
    value.length > 0 &&
    !UNSAFE_CHARS.test(value)
  );
}

/**
 * JSON text SNS and SQS accept: JSON.stringify already escapes control characters and lone
 * surrogates, but leaves U+FFFE and U+FFFF, which both services refuse.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

const str = (value: string): StringAttribute => ({ DataType: "String", StringValue: value });

export function encodeAttributes(meta: EnvelopeMeta, headers: Readonly<Record<string, string>>): Attributes {
  const attributes: Attributes = {
    [ID_ATTRIBUTE]: str(meta.id),
    [PUBLISHED_ATTRIBUTE]: str(String(meta.publishedAt.getTime())),
  };
  if (meta.key !== undefined && meta.key !== "") attributes[KEY_ATTRIBUTE] = str(meta.key);
  if (meta.reason !== undefined) attributes[REASON_ATTRIBUTE] = str(meta.reason || "(no reason given)");
  if (meta.attempts !== undefined) attributes[ATTEMPTS_ATTRIBUTE] = str(String(meta.attempts));

  const entries = Object.entries(headers);
  const fitting = entries.filter(([name, value]) => fitsAttribute(name, value));
  const free = ATTRIBUTE_LIMIT - Object.keys(attributes).length;
  const allFit = fitting.length === entries.length && fitting.length <= free;
  // When anything must be packed, one slot goes to the packed attribute.
  const individual = allFit ? fitting : fitting.slice(0, Math.max(0, free - 1));
  for (const [name, value] of individual) attributes[HEADER_PREFIX + name] = str(value);
  if (!allFit) {
    const taken = new Set(individual.map(([name]) => name));
    const packed = Object.fromEntries(entries.filter(([name]) => !taken.has(name)));
    attributes[PACKED_ATTRIBUTE] = str(safeJson(packed));
  }
  return attributes;
}

export interface DecodedEnvelope {
  readonly id?: string;
  readonly key?: string;
  readonly publishedAt?: Date;
  readonly reason?: string;
  readonly attempts?: number;
  readonly headers: Record<string, string>;
}

export function decodeAttributes(
  attributes: Readonly<Record<string, { StringValue?: string | undefined }>> | undefined,
): DecodedEnvelope {
  const headers: Record<string, string> = {};
  let id: string | undefined;
  let key: string | undefined;
  let publishedAt: Date | undefined;
  let reason: string | undefined;
  let attempts: number | undefined;
  for (const [name, attribute] of Object.entries(attributes ?? {})) {
    const value = attribute.StringValue ?? "";
    if (name === ID_ATTRIBUTE) id = value;
    else if (name === KEY_ATTRIBUTE) key = value;
    else if (name === REASON_ATTRIBUTE) reason = value;
    else if (name === ATTEMPTS_ATTRIBUTE) attempts = Number(value);
    else if (name === PUBLISHED_ATTRIBUTE) publishedAt = new Date(Number(value));
    else if (name === PACKED_ATTRIBUTE) Object.assign(headers, JSON.parse(value) as Record<string, string>);
    else if (name.startsWith(HEADER_PREFIX)) headers[name.slice(HEADER_PREFIX.length)] = value;
  }
  return { id, key, publishedAt, reason, attempts, headers };
}

/** What SNS counts against its 256 KiB limit: the body plus each attribute's name, type and value. */
export function encodedSize(body: string, attributes: Attributes): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + attribute.DataType.length;
    size += Buffer.byteLength(attribute.StringValue ?? "", "utf8");
  }
  return size;
}
