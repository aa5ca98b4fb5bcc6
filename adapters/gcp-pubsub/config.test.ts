import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { EMULATOR_PROJECT, readPubSubConfig } from "./config.js";

describe("Pub/Sub config", () => {
  it("needs a project, except against the emulator", () => {
    expect(() => readPubSubConfig({})).toThrow(ConfigError);
    expect(readPubSubConfig({ PUBSUB_EMULATOR_HOST: "127.0.0.1:8085" })).toMatchObject({
      projectId: EMULATOR_PROJECT,
      emulatorHost: "127.0.0.1:8085",
      autoCreate: true,
    });
  });

  it("turns auto-create off when the stacks hand over resource names", () => {
    const config = readPubSubConfig({
      GCP_PROJECT: "taskflow-prod",
      BROKER_TOPICS: '{"task-events":"projects/taskflow-prod/topics/task-events"}',
    });
    expect(config).toMatchObject({ projectId: "taskflow-prod", autoCreate: false });
  });

  it("names each bad setting", () => {
    try {
      readPubSubConfig({ GCP_PROJECT: "Bad_Project", PUBSUB_EMULATOR_HOST: "http://x", PUBSUB_AUTO_CREATE: "maybe" });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toContain("GCP_PROJECT");
      expect(problems).toContain("PUBSUB_EMULATOR_HOST");
      expect(problems).toContain("PUBSUB_AUTO_CREATE");
    }
  });
});
