import { describe, expect, it } from "vitest";
import { decodeMessage, ENCODING_ATTRIBUTE, encodedSize, encodeMessage, truncateUtf8 } from "./envelope.js";

describe("Pub/Sub envelope", () => {
  it("sends the plain JSON body with headers as attributes when they fit", () => {
    const encoded = encodeMessage({ id: "m1" }, { traceparent: "00-a-b-01", empty: "", uni: "Grüße 世界" }, '{"n":1}');
    expect(encoded.data.toString()).toBe('{"n":1}');
    expect(encoded.attributes["h.traceparent"]).toBe("00-a-b-01");
    expect(encoded.attributes[ENCODING_ATTRIBUTE]).toBeUndefined();
    const decoded = decodeMessage(encoded.data, encoded.attributes);
    expect(decoded.body).toEqual({ n: 1 });
    expect(decoded.id).toBe("m1");
    expect(decoded.headers).toEqual({ traceparent: "00-a-b-01", empty: "", uni: "Grüße 世界" });
  });

  it("moves headers into the data when a value passes 1024 bytes or there are too many", () => {
    const long = { big: "é".repeat(600) };
    const encoded = encodeMessage({ id: "m2" }, long, '"body"');
    expect(encoded.attributes[ENCODING_ATTRIBUTE]).toBe("envelope");
    expect(Object.keys(encoded.attributes).some((name) => name.startsWith("h."))).toBe(false);
    expect(decodeMessage(encoded.data, encoded.attributes)).toMatchObject({ headers: long, body: "body" });

    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x${i}`, String(i)]));
    const wide = encodeMessage({ id: "m3" }, many, "null");
    expect(Object.keys(wide.attributes).length).toBeLessThanOrEqual(100);
    expect(decodeMessage(wide.data, wide.attributes).headers).toEqual(many);
  });

  it("carries key, time and a reason cut to 1024 bytes on dead letters", () => {
    const at = new Date(1_700_000_000_000);
    const encoded = encodeMessage({ id: "m4", key: "k", publishedAt: at, reason: "x".repeat(2_000) }, {}, "1");
    const decoded = decodeMessage(encoded.data, encoded.attributes);
    expect(decoded.key).toBe("k");
    expect(decoded.publishedAt).toEqual(at);
    expect(decoded.reason).toHaveLength(1_024);
  });

  it("cuts UTF-8 text without splitting a character", () => {
    expect(truncateUtf8("ab€", 4)).toBe("ab");
    expect(truncateUtf8("abc", 10)).toBe("abc");
  });

  it("counts data, ordering key and attributes in bytes", () => {
    expect(encodedSize({ data: Buffer.from("ü"), attributes: { a: "b" } }, "k")).toBe(2 + 1 + 2);
  });
});
