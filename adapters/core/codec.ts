import { SerializationError } from "./errors.js";

/**
 * How cache values become strings, the same for every cache adapter.
 *
 * The rule: JSON, with three types that JSON loses kept by a tagged object
 * `{"$tf":"<tag>","v":...}`:
 * - `Buffer` (and `Uint8Array`) → `{"$tf":"buf","v":"<base64>"}`, read back as a `Buffer`;
 * - `Date` → `{"$tf":"date","v":"<ISO 8601>"}`, read back as a `Date`;
 * - `BigInt` → `{"$tf":"big","v":"<decimal>"}`, read back as a `bigint`.
 * A plain object that itself has a `$tf` key is escaped as `{"$tf":"obj","t":<its $tf>,"v":{...rest}}`, so
 * no stored value is mistaken for a tag. `undefined` object members are dropped, as in JSON;
 * functions and symbols are refused with `SerializationError`.
 */
const TAG = "$tf";

/** Deep enough for any cached row; deeper (or cyclic) values take the general path. */
const PLAIN_DEPTH = 32;

/**
 * True when the value holds only what JSON keeps as is (plain objects without a `$tf` key,
 * arrays, strings, numbers, booleans, null), so plain JSON.stringify writes exactly what the
 * tagging replacer would, at a third of the cost.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null) return true;
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean" || type === "undefined") return true;
  if (type !== "object" || depth > PLAIN_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isPlainJson(item, depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || Object.hasOwn(value as object, TAG)) return false;
  for (const key of Object.keys(value as object)) {
    if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

export function encodeValue(value: unknown, component = "codec"): string {
  if (isPlainJson(value, 0)) return JSON.stringify(value);
  try {
    return JSON.stringify(value, function replacer(this: Record<string, unknown>, key: string, current: unknown) {
      // JSON.stringify calls toJSON before the replacer, so look at the raw member.
      const raw = this[key];
      if (raw instanceof Date) return { [TAG]: "date", v: raw.toISOString() };
      if (Buffer.isBuffer(raw)) return { [TAG]: "buf", v: raw.toString("base64") };
      if (raw instanceof Uint8Array) return { [TAG]: "buf", v: Buffer.from(raw).toString("base64") };
      if (typeof raw === "bigint") return { [TAG]: "big", v: raw.toString() };
      if (typeof raw === "function" || typeof raw === "symbol") {
        throw new TypeError(`a ${typeof raw} at "${key}" cannot be cached`);
      }
      if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && Object.hasOwn(raw, TAG)) {
        // Move the user's own "$tf" member to "t" so the escaped object is not escaped again.
        const { [TAG]: own, ...rest } = raw as Record<string, unknown>;
        return { [TAG]: "obj", t: own, v: rest };
      }
      return current;
    });
  } catch (error) {
    throw new SerializationError(component, "cannot serialize value", { cause: error });
  }
}

/** The tag as it appears in encoded text; JSON.stringify never escapes these characters. */
const TAG_TEXT = `"${TAG}"`;

export function decodeValue<T>(text: string): T {
  // A reviver makes JSON.parse several times slower, and this is every cache hit's path, so
  // text without a tag is parsed plainly.
  if (!text.includes(TAG_TEXT)) return JSON.parse(text) as T;
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, TAG)) {
      const tagged = value as { [TAG]: string; v: unknown };
      switch (tagged[TAG]) {
        case "date":
          return new Date(tagged.v as string);
        case "buf":
          return Buffer.from(tagged.v as string, "base64");
        case "big":
          return BigInt(tagged.v as string);
        case "obj":
          return { ...(tagged.v as object), [TAG]: (tagged as { t?: unknown }).t };
      }
    }
    return value;
  }) as T;
}
