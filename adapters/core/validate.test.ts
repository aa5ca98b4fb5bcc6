import { describe, expect, it } from "vitest";
import type { BrokerCapabilities } from "./capabilities.js";
import { InvalidHeadersError, MessageTooLargeError, UnsupportedFeatureError } from "./errors.js";
import { messageSize, validateOutgoing } from "./validate.js";

const caps: BrokerCapabilities = {
  ordering: false,
  dedupe: false,
  ttl: false,
  delay: false,
  visibilityTimeout: false,
  lockRenewal: false,
  historyReplay: false,
  management: true,
  maxMessageBytes: 100,
  maxHeaders: 2,
  maxBatchSize: 10,
};

describe("validateOutgoing", () => {
  it("measures body JSON plus header names and values in UTF-8 bytes", () => {
    expect(messageSize({ body: "é", headers: { a: "bc" } })).toBe(Buffer.byteLength('"é"') + 3);
  });

  it("accepts a message exactly at the limit and refuses one byte more", () => {
    const atLimit = { body: "x".repeat(98) }; // two quote characters make 100 bytes
    expect(messageSize(atLimit)).toBe(100);
    expect(() => validateOutgoing("test", caps, atLimit)).not.toThrow();
    const error = (() => {
      try {
        validateOutgoing("test", caps, { body: "x".repeat(99) });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as MessageTooLargeError).size).toBe(101);
  });

  it("refuses too many headers and non-string header values", () => {
    expect(() => validateOutgoing("test", caps, { body: 1, headers: { a: "", b: "", c: "" } })).toThrow(
      InvalidHeadersError,
    );
    expect(() => validateOutgoing("test", caps, { body: 1, headers: { a: 5 as unknown as string } })).toThrow(
      /header "a" must be a string/,
    );
  });

  it("refuses delay and TTL when the adapter does not declare them", () => {
    expect(() => validateOutgoing("test", caps, { body: 1, delayMs: 10 })).toThrow(UnsupportedFeatureError);
    expect(() => validateOutgoing("test", caps, { body: 1, ttlMs: 10 })).toThrow(UnsupportedFeatureError);
  });

  it("refuses an undefined body", () => {
    expect(() => validateOutgoing("test", caps, { body: undefined })).toThrow(InvalidHeadersError);
  });
});
