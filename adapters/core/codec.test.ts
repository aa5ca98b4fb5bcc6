import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue } from "./codec.js";
import { SerializationError } from "./errors.js";

const roundTrip = <T>(value: T): T => decodeValue<T>(encodeValue(value));

describe("cache codec", () => {
  it("keeps falsy JSON values", () => {
    expect(roundTrip(false)).toBe(false);
    expect(roundTrip(0)).toBe(0);
    expect(roundTrip("")).toBe("");
    expect(roundTrip(null)).toBeNull();
  });

  it("reads Buffer, Date and BigInt back as the same types, nested too", () => {
    const value = { at: new Date("2026-01-02T03:04:05.006Z"), raw: Buffer.from([0, 1, 255]), n: 2n ** 70n, list: [1n] };
    const back = roundTrip(value);
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.toISOString()).toBe("2026-01-02T03:04:05.006Z");
    expect(Buffer.isBuffer(back.raw)).toBe(true);
    expect([...back.raw]).toEqual([0, 1, 255]);
    expect(back.n).toBe(2n ** 70n);
    expect(back.list).toEqual([1n]);
  });

  it("stores a Uint8Array as a Buffer", () => {
    const back = roundTrip(new Uint8Array([7, 8]));
    expect(Buffer.isBuffer(back)).toBe(true);
    expect([...back]).toEqual([7, 8]);
  });

  it("does not mistake a user object with a $tf key for a tagged value", () => {
    const value = { $tf: "date", v: "not a date" };
    expect(roundTrip(value)).toEqual(value);
  });

  it("refuses functions and circular structures with a SerializationError", () => {
    expect(() => encodeValue({ f: () => 1 })).toThrow(SerializationError);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => encodeValue(circular)).toThrow(SerializationError);
  });
});
