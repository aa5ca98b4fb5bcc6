import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { readRabbitMqOptions } from "./config.js";

describe("rabbitmq config", () => {
  it("reads the URL and applies defaults", () => {
    const options = readRabbitMqOptions({ RABBITMQ_URL: "amqps://u:p@mq:5671" });
    expect(options).toMatchObject({
      url: "amqps://u:p@mq:5671",
      defaultConcurrency: 10,
      autoCreate: true,
      publishTimeoutMs: 30_000,
      topics: {},
      subscriptions: {},
    });
  });

  it("reads overrides and the stack's name maps", () => {
    const options = readRabbitMqOptions({
      RABBITMQ_URL: "amqp://127.0.0.1",
      RABBITMQ_PREFETCH: "32",
      RABBITMQ_AUTO_CREATE: "false",
      BROKER_TOPICS: '{"task-events":"tf.task-events"}',
    });
    expect(options.defaultConcurrency).toBe(32);
    expect(options.autoCreate).toBe(false);
    expect(options.topics).toEqual({ "task-events": "tf.task-events" });
  });

  it("reports every problem at once, never echoing the URL", () => {
    let error: unknown;
    try {
      readRabbitMqOptions({
        RABBITMQ_URL: "http://user:secret@mq",
        RABBITMQ_PREFETCH: "0",
        RABBITMQ_AUTO_CREATE: "yes",
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/RABBITMQ_URL .*amqp:\/\//);
    expect(problems.join("\n")).not.toContain("secret");
    expect(() => readRabbitMqOptions({})).toThrow(/RABBITMQ_URL \(unset\)/);
  });

  it("takes the broker's CA for amqps only, and says so when the URL has no TLS", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    expect(readRabbitMqOptions({ RABBITMQ_URL: "amqps://u:p@mq:5671", RABBITMQ_TLS_CA: pem }).tlsCa).toBe(pem);
    expect(readRabbitMqOptions({ RABBITMQ_URL: "amqps://u:p@mq:5671" }).tlsCa).toBeUndefined();
    expect(() => readRabbitMqOptions({ RABBITMQ_URL: "amqp://u:p@mq:5672", RABBITMQ_TLS_CA: pem })).toThrow(
      /RABBITMQ_TLS_CA .*amqp:\/\/ \(no TLS\)/,
    );
    expect(() => readRabbitMqOptions({ RABBITMQ_URL: "amqps://u:p@mq:5671", RABBITMQ_TLS_CA: "not a pem" })).toThrow(
      /RABBITMQ_TLS_CA .*PEM certificate/,
    );
  });
});
