import { describe, expect, it } from "vitest";
import { z } from "zod";
import { readAdapterSelection, readConfig } from "./config.js";
import { ConfigError } from "./errors.js";

describe("adapter configuration", () => {
  it("defaults to local mode with no topic maps", () => {
    expect(readAdapterSelection({})).toEqual({ CLOUD_PROVIDER: "local", BROKER_TOPICS: {}, BROKER_SUBSCRIPTIONS: {} });
  });

  it("reports every problem at once, naming each variable and how to fix it", () => {
    const error = (() => {
      try {
        readAdapterSelection({ CLOUD_PROVIDER: "bogus", BROKER: "carrier-pigeon", BROKER_TOPICS: "[1,2]" });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems).toHaveLength(3);
    expect(error?.message).toMatch(/CLOUD_PROVIDER \("bogus"\).*local, aws, azure, gcp, kubernetes/);
    expect(error?.message).toMatch(/BROKER \("carrier-pigeon"\)/);
    expect(error?.message).toMatch(/BROKER_TOPICS .*JSON object/);
  });

  it("parses topic maps from JSON", () => {
    const selection = readAdapterSelection({ BROKER_TOPICS: '{"task-events":"arn:aws:sns:x"}' });
    expect(selection.BROKER_TOPICS).toEqual({ "task-events": "arn:aws:sns:x" });
  });

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
