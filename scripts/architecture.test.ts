import { describe, expect, it } from "vitest";
import { platform } from "../services/platform.js";
import { architectureDiagram } from "./architecture.js";

describe("architecture diagram", () => {
  const diagram = architectureDiagram(platform);

  it("draws every service, topic and subscription of platform.ts", () => {
    for (const service of platform.services) expect(diagram).toContain(`"${service.name} :${service.port}"`);
    for (const topic of platform.topics) expect(diagram).toContain(`"${topic.name}"`);
    for (const subscription of platform.subscriptions) expect(diagram).toContain(`"${subscription.name}"`);
  });

  it("gives every subscription a dead-letter queue and routes each consumer with a database through its inbox", () => {
    for (const subscription of platform.subscriptions) {
      const database = platform.services.find((s) => s.name === subscription.service)?.database;
      const via = database ? "inbox" : "idempotent";
      expect(diagram).toContain(`s_${subscription.name.replace(/-/g, "_")} -->|${via}| ${subscription.service}`);
      expect(diagram).toContain(`dlq_${subscription.name.replace(/-/g, "_")}`);
    }
  });
});
