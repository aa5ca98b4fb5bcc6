import { describe, expect, it } from "vitest";
import {
  ATTRIBUTE_LIMIT,
  decodeAttributes,
  encodeAttributes,
  encodedSize,
  PACKED_ATTRIBUTE,
  safeJson,
} from "./envelope.js";

const meta = { id: "m-1", publishedAt: new Date(1_700_000_000_000) };

describe("SNS/SQS attribute packing", () => {
  it("gives each well-formed header its own attribute when they all fit", () => {
    const attributes = encodeAttributes(meta, { traceparent: "00-abc-01", "x-correlation-id": "c1" });
    expect(attributes["h.traceparent"]?.StringValue).toBe("00-abc-01");
    expect(attributes[PACKED_ATTRIBUTE]).toBeUndefined();
    expect(decodeAttributes(attributes)).toEqual({
      id: "m-1",
      key: undefined,
      reason: undefined,
      publishedAt: meta.publishedAt,
      headers: { traceparent: "00-abc-01", "x-correlation-id": "c1" },
    });
  });

  it("packs headers beyond the 10-attribute limit and round-trips them all", () => {
    const headers = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`h${i}`, `v${i}`]));
    const attributes = encodeAttributes({ ...meta, key: "k" }, headers);
    expect(Object.keys(attributes).length).toBe(ATTRIBUTE_LIMIT);
    expect(decodeAttributes(attributes).headers).toEqual(headers);
    expect(decodeAttributes(attributes).key).toBe("k");
  });

  it("packs empty values, unicode names and names SQS refuses", () => {
    const headers = { empty: "", 名前: "値", "a..b": "x", ".lead": "y", ok: "z", uni: "ünï 🚀" };
    const attributes = encodeAttributes(meta, headers);
    expect(attributes["h.ok"]?.StringValue).toBe("z");
    expect(attributes["h.uni"]?.StringValue).toBe("ünï 🚀");
    expect(attributes["h.empty"]).toBeUndefined();
    expect(decodeAttributes(attributes).headers).toEqual(headers);
  });

  it("leaves room for the dead-letter reason when re-encoding a full message", () => {
    const headers = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`h${i}`, `v${i}`]));
    const attributes = encodeAttributes({ ...meta, key: "k", reason: "poison" }, headers);
    expect(Object.keys(attributes).length).toBe(ATTRIBUTE_LIMIT);
    const decoded = decodeAttributes(attributes);
    expect(decoded.reason).toBe("poison");
    expect(decoded.headers).toEqual(headers);
  });

  it("escapes the two characters JSON leaves that SNS refuses", () => {
    const text = safeJson({ s: "a\uFFFEb\uFFFF" });
    expect(text).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(JSON.parse(text)).toEqual({ s: "a\uFFFEb\uFFFF" });
  });

  it("measures body and attributes in UTF-8 bytes", () => {
    const attributes = { a: { DataType: "String", StringValue: "é" } };
    expect(encodedSize("ü", attributes)).toBe(2 + 1 + 6 + 2);
  });
});
