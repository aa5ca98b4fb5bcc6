import { describe, expect, it } from "vitest";
import { capabilityFacts, expectedCapabilities } from "../components/testing/capabilities.js";
import { readStack } from "../components/testing/read-stack.js";
import { runStack } from "../components/testing/run-stack.js";
import { platform } from "../services/platform.js";

describe("parity: AWS, Azure, GCP and Kubernetes provide the same capabilities", () => {
  it("maps the four resource graphs to the same set of facts, equal to what platform.ts asks for", async () => {
    expect(capabilityFacts(expectedCapabilities(platform)).length).toBeGreaterThan(50);
    for (const provider of ["aws", "azure", "gcp", "kubernetes"] as const) {
      const reading = readStack(await runStack(provider), platform);
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
