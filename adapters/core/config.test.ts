import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readConfig } from "./config.js";

describe("adapter configuration", () => {
  it("never echoes the value of a secret-looking variable", () => {
    const schema = z.object({ CACHE_URL: z.string().startsWith("redis") });
    expect(() => readConfig(schema, { CACHE_URL: "http://:hunter2@host" })).toThrow(/CACHE_URL \("\*\*\*"\)/);
    try {
      readConfig(schema, { CACHE_URL: "http://:hunter2@host" });
    } catch (error) {
      expect(String(error)).not.toContain("hunter2");
    }
  });
});
