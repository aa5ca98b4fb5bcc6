import { describe, expect, it } from "vitest";
import { platform } from "../services/platform.js";
import { capabilityFacts, expectedCapabilities } from "./testing/capabilities.js";
import { readStack } from "./testing/read-stack.js";
import { runStack } from "./testing/run-stack.js";

describe("parity: AWS, Azure and GCP provide the same capabilities", () => {
  it("maps the three resource graphs to the same set of facts, equal to what platform.ts asks for", async () => {
    const expected = capabilityFacts(expectedCapabilities(platform));
    expect(expected.length).toBeGreaterThan(50);
    for (const provider of ["aws", "azure", "gcp"] as const) {
      const facts = capabilityFacts(readStack(await runStack(provider), platform).capabilities);
      expect(
        facts.filter((f) => !expected.includes(f)),
        `${provider} has facts platform.ts does not ask for`,
      ).toEqual([]);
      expect(
        expected.filter((f) => !facts.includes(f)),
        `${provider} lacks`,
      ).toEqual([]);
      expect(facts).toEqual(expected);
    }
  }, 120_000);
});
