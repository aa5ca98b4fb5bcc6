import type { Message as AmqpMessage } from "amqplib";
import { describe, expect, it } from "vitest";
import { InvalidHeadersError } from "../core/errors.js";
import {
  checkHeaders,
  decodeDeadLetter,
  decodeDelivery,
  deliveryAttempt,
  encodeOutgoing,
  HEADER,
  MAX_HEADER_BYTES,
  republishOptions,
  UndecodableMessageError,
} from "./envelope.js";

/** What amqplib hands a consumer for a message that `options` published. */
function delivered(content: Buffer, properties: Record<string, unknown>, redelivered = false): AmqpMessage {
  return {
    content,
    fields: { deliveryTag: 7, redelivered, exchange: "t", routingKey: "" },
    properties: {
      contentType: undefined,
      contentEncoding: undefined,
      headers: undefined,
      deliveryMode: undefined,
      priority: undefined,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      messageId: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
      ...properties,
    },
  };
}

describe("rabbitmq envelope", () => {
  const now = new Date("2026-01-02T03:04:05.678Z");

  it("round-trips id, key, headers, body and publish time through AMQP properties", () => {
    const { content, options } = encodeOutgoing(
      { key: "board-1", headers: { traceparent: "00-abc-01", empty: "", name: "Zoë 漢字" }, body: { n: 1, s: "é" } },
      "id-1",
      now,
    );
    expect(options).toMatchObject({ messageId: "id-1", persistent: true, contentType: "application/json" });
    expect(options.expiration).toBeUndefined();
    const message = decodeDelivery(delivered(content, options as Record<string, unknown>), "task-events");
    expect(message).toEqual({
      id: "id-1",
      topic: "task-events",
      key: "board-1",
      headers: { traceparent: "00-abc-01", empty: "", name: "Zoë 漢字" },
      body: { n: 1, s: "é" },
      attempt: 1,
      publishedAt: now,
    });
  });

  it("sets the AMQP expiration for a TTL", () => {
    expect(encodeOutgoing({ body: 1, ttlMs: 1500.4 }, "i", now).options.expiration).toBe("1500");
  });

  it("counts attempts from the carried header and the broker's redelivered flag", () => {
    expect(deliveryAttempt(undefined, false)).toBe(1);
    expect(deliveryAttempt(undefined, true)).toBe(2);
    expect(deliveryAttempt({ [HEADER.attempt]: 3 }, false)).toBe(3);
    expect(deliveryAttempt({ [HEADER.attempt]: "4" }, true)).toBe(5);
    expect(deliveryAttempt({ [HEADER.attempt]: "junk" }, false)).toBe(1);
  });

  it("refuses reserved header names and oversized header tables", () => {
    expect(() => checkHeaders({ CC: "other-queue" })).toThrow(InvalidHeadersError);
    expect(() => checkHeaders({ "x-death": "x" })).toThrow(/reserved/);
    expect(() => checkHeaders({ [HEADER.attempt]: "9" })).toThrow(/reserved/);
    expect(() => checkHeaders({ big: "v".repeat(MAX_HEADER_BYTES) })).toThrow(/limit is 32768/);
    expect(() => checkHeaders({ "x-correlation-id": "c", traceparent: "t" })).not.toThrow();
  });

  it("hides the adapter's and the broker's headers from the handler", () => {
    const message = decodeDelivery(
      delivered(Buffer.from("1"), {
        messageId: "m",
        headers: { mine: "v", [HEADER.attempt]: 2, "x-death": [{ count: 1 }], "x-first-death-reason": "expired" },
      }),
      "t",
    );
    expect(message.headers).toEqual({ mine: "v" });
    expect(message.topic).toBe("t");
    expect(message.attempt).toBe(2);
  });

  it("refuses content that is not JSON", () => {
    expect(() => decodeDelivery(delivered(Buffer.from("{oops"), {}), "t")).toThrow(UndecodableMessageError);
  });

  it("republishes with the same id and headers, a new attempt and the reason, without x-death", () => {
    const original = delivered(Buffer.from("{}"), {
      messageId: "m-1",
      contentType: "application/json",
      headers: { trace: "t", [HEADER.attempt]: 2, "x-death": [{ count: 1 }], "x-first-death-queue": "q" },
    });
    const options = republishOptions(original, 3, "bad input");
    expect(options).toMatchObject({ messageId: "m-1", contentType: "application/json", persistent: true });
    expect(options.headers).toEqual({ trace: "t", [HEADER.attempt]: 3, [HEADER.reason]: "bad input" });
  });

  it("reads a dead letter's reason: the adapter's own, else the broker's", () => {
    const own = decodeDeadLetter(
      delivered(Buffer.from('"x"'), { messageId: "a", headers: { [HEADER.reason]: "bad", [HEADER.attempt]: 5 } }),
      "t",
    );
    expect(own).toMatchObject({ id: "a", body: "x", reason: "bad", attempt: 5 });
    const expired = decodeDeadLetter(
      delivered(Buffer.from("not json"), { messageId: "b", headers: { "x-first-death-reason": "expired" } }, true),
      "t",
    );
    expect(expired).toMatchObject({ body: "not json", reason: "expired by the broker", attempt: 1 });
  });
});
