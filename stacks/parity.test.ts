import { describe, expect, it } from "vitest";
import { platform } from "../services/platform.js";
import { capabilityFacts, expectedCapabilities } from "./testing/capabilities.js";
import { readStack } from "./testing/read-stack.js";
import { runStack } from "./testing/run-stack.js";

describe("parity: AWS and GCP provide the same capabilities", () => {
  it("maps both resource graphs to the same set of facts, equal to what platform.ts asks for", async () => {
    const aws = capabilityFacts(readStack(await runStack("aws"), platform).capabilities);
    const gcp = capabilityFacts(readStack(await runStack("gcp"), platform).capabilities);
    const expected = capabilityFacts(expectedCapabilities(platform));
    expect(aws.filter((f) => !gcp.includes(f))).toEqual([]);
    expect(gcp.filter((f) => !aws.includes(f))).toEqual([]);
    expect(aws).toEqual(expected);
    expect(expected.length).toBeGreaterThan(50);
  });
});
