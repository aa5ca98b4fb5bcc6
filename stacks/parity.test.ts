import { describe, expect, it } from "vitest";
import { platform } from "../services/platform.js";
import { BUILT_PROVIDERS } from "./select.js";
import { capabilityFacts, expectedCapabilities } from "./testing/capabilities.js";
import { readStack } from "./testing/read-stack.js";
import { runStack } from "./testing/run-stack.js";

describe("parity: every registered target provides the same capabilities", () => {
  it("maps every target's resource graph to the same set of facts, equal to what platform.ts asks for", async () => {
    expect(capabilityFacts(expectedCapabilities(platform)).length).toBeGreaterThan(50);
    expect(BUILT_PROVIDERS).toEqual(["aws", "azure", "gcp", "kubernetes"]);
    for (const provider of BUILT_PROVIDERS) {
      const reading = await readStack(await runStack(provider), platform);
      // Rows a target lists as gaps (with the reason docs/parity.md shows) are compared apart.
      const gaps = reading.gaps ?? {};
      const facts = capabilityFacts(reading.capabilities, gaps);
      const expected = capabilityFacts(expectedCapabilities(platform), gaps);
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
