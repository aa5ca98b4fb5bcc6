import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { readKafkaConfig } from "./config.js";

describe("kafka config", () => {
  it("reads the broker list, defaults and SASL settings", () => {
    const config = readKafkaConfig({
      KAFKA_BROKERS: "10.0.0.1:9092, kafka-2:9093",
      KAFKA_SSL: "true",
      KAFKA_SASL_MECHANISM: "scram-sha-512",
      KAFKA_SASL_USERNAME: "svc",
      KAFKA_SASL_PASSWORD: "pw",
    });
    expect(config.connection).toEqual({
      brokers: ["10.0.0.1:9092", "kafka-2:9093"],
      clientId: "taskflow",
      ssl: true,
      sasl: { mechanism: "scram-sha-512", username: "svc", password: "pw" },
    });
    expect(config.autoCreate).toBe(true);
    expect(config.partitions).toBe(6);
  });

  it("turns auto-create off by default when the stacks inject topic names", () => {
    const config = readKafkaConfig({ KAFKA_BROKERS: "k:9092", BROKER_TOPICS: '{"task-events":"prod.task-events"}' });
    expect(config.autoCreate).toBe(false);
    expect(config.topics).toEqual({ "task-events": "prod.task-events" });
  });

  it("reports every problem at once, never showing the password", () => {
    let error: unknown;
    try {
      readKafkaConfig({ KAFKA_BROKERS: "no-port", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_PASSWORD: "hunter2" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toMatch(/KAFKA_BROKERS.*host:port/);
    expect(problems).toMatch(/KAFKA_SASL_USERNAME.*required when KAFKA_SASL_MECHANISM is set/);
    expect((error as Error).message).not.toContain("hunter2");
  });
});
