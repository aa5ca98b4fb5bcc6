import { describe, expect, it } from "vitest";
import { createBrokerFromEnv as createBroker } from "./index.js";

describe("kafka adapter selection", () => {
  it("is what BROKER=kafka builds, and reports an unreachable cluster as not ready within its bound", async () => {
    // Port 1 on this machine refuses connections: nothing leaves localhost.
    const broker = await createBroker({ BROKER: "kafka", KAFKA_BROKERS: "127.0.0.1:1" });
    expect(broker.name).toBe("kafka");
    const started = Date.now();
    expect(await broker.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
    await broker.close();
  });
});
