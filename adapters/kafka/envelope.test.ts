import { describe, expect, it } from "vitest";
import { InvalidHeadersError } from "../core/errors.js";
import { fromDeadLetterRecord, fromRecord, headerStrings, toDeadLetterRecord, toRecord } from "./envelope.js";

describe("kafka records", () => {
  it("maps byte headers to strings, the last of a repeated name winning", () => {
    expect(headerStrings({ a: Buffer.from("ü"), b: [Buffer.from("1"), "2"], c: undefined, d: "" })).toEqual({
      a: "ü",
      b: "2",
      d: "",
    });
  });

  it("round-trips an envelope and hides reserved headers from the handler", () => {
    const at = new Date("2026-01-02T03:04:05.006Z");
    const record = toRecord("id-1", { key: "k", headers: { trace: "x" }, body: { a: [1, "二"] } }, at);
    const back = fromRecord(
      "t",
      0,
      {
        key: Buffer.from(record.key!),
        value: Buffer.from(record.value),
        headers: Object.fromEntries(Object.entries(record.headers).map(([n, v]) => [n, Buffer.from(v)])),
        offset: "7",
        timestamp: record.timestamp,
      },
      2,
    );
    expect(back).toEqual({
      id: "id-1",
      topic: "t",
      key: "k",
      headers: { trace: "x" },
      body: { a: [1, "二"] },
      attempt: 2,
      publishedAt: at,
    });
  });

  it("gives a record from another producer a stable id and no key", () => {
    const message = fromRecord("t", 3, { key: null, value: Buffer.from("1"), offset: "42", timestamp: "0" }, 1);
    expect(message.id).toBe("t/3/42");
    expect(message.key).toBeUndefined();
  });

  it("keeps key, time, headers and reason on a dead letter", () => {
    const received = {
      key: Buffer.from("k"),
      value: Buffer.from('"b"'),
      headers: { h: Buffer.from("v"), "taskflow-id": Buffer.from("m") },
      offset: "1",
      timestamp: "1000",
    };
    const letter = toDeadLetterRecord(received, "bad input", 3);
    const back = fromDeadLetterRecord("t", 0, { ...received, headers: letter.headers });
    expect(back).toMatchObject({ id: "m", key: "k", body: "b", headers: { h: "v" }, reason: "bad input", attempt: 3 });
    expect(back.publishedAt.getTime()).toBe(1000);
  });

  it("refuses a header in the reserved namespace", () => {
    expect(() => toRecord("x", { headers: { "taskflow-attempts": "9" }, body: 1 })).toThrow(InvalidHeadersError);
  });
});
