import { describe, expect, it } from "vitest";
import { fromDeadLetter, fromServiceBusMessage, InvalidBodyError, toServiceBusMessage } from "./envelope.js";

describe("service bus envelope", () => {
  it("round-trips body, headers, key and publish time, hiding reserved properties", () => {
    const at = new Date("2026-01-02T03:04:05.006Z");
    const sent = toServiceBusMessage("id-1", { key: "k", headers: { trace: "x", empty: "" }, body: { a: ["二"] } }, at);
    const message = fromServiceBusMessage("t", {
      messageId: sent.messageId,
      body: sent.body,
      applicationProperties: sent.applicationProperties,
      sessionId: sent.sessionId,
      deliveryCount: 2,
      enqueuedTimeUtc: new Date(at.getTime() + 9_000),
    });
    expect(message).toEqual({
      id: "id-1",
      topic: "t",
      key: "k",
      headers: { trace: "x", empty: "" },
      body: { a: ["二"] },
      attempt: 3,
      publishedAt: at,
    });
  });

  it("reports no key for a keyless message, whose session is its own id", () => {
    const sent = toServiceBusMessage("id-2", { body: null });
    const message = fromServiceBusMessage("t", { messageId: "id-2", body: sent.body, sessionId: sent.sessionId });
    expect(message.key).toBeUndefined();
    expect(message.body).toBeNull();
  });

  it("turns non-string properties from other producers into strings, and refuses a body that is not JSON", () => {
    const when = new Date("2026-05-01T00:00:00.000Z");
    const message = fromServiceBusMessage("t", {
      messageId: 7,
      body: '{"x":1}',
      applicationProperties: { n: 5, b: true, d: when },
    });
    expect(message.headers).toEqual({ n: "5", b: "true", d: "2026-05-01T00:00:00.000Z" });
    expect(message.body).toEqual({ x: 1 });
    expect(() => fromServiceBusMessage("t", { messageId: "m", body: Buffer.from("{oops") })).toThrow(InvalidBodyError);
  });

  it("keeps the dead-letter reason and the attempts stamped when it was dead-lettered", () => {
    const letter = fromDeadLetter("t", {
      messageId: "m",
      body: Buffer.from("1"),
      applicationProperties: {
        "taskflow-attempts": "3",
        trace: "x",
        DeadLetterReason: "bad",
        DeadLetterErrorDescription: "stack",
      },
      deliveryCount: 4,
      deadLetterReason: "bad",
    });
    expect(letter).toMatchObject({ id: "m", reason: "bad", attempt: 3, body: 1 });
    expect(letter.headers).toEqual({ trace: "x" });
  });
});
