import { describe, expect, it } from "vitest";
import type { BrokerCapabilities } from "../../../adapters/core/capabilities.js";
import { validateSubscribeOptions } from "../../../adapters/core/validate.js";
import { MEMORY_BROKER_CAPABILITIES } from "../../../adapters/memory/message-broker.js";
import { RABBITMQ_CAPABILITIES } from "../../../adapters/rabbitmq/message-broker.js";
import { platform } from "../../platform.js";
import { declaredSubscribeOptions } from "./inbox.js";

describe("declaredSubscribeOptions", () => {
  it("asks for ordering and the lock time where the broker declares them", () => {
    const declared = platform.subscriptions.find((s) => s.ordered)!;
    expect(declaredSubscribeOptions(declared, MEMORY_BROKER_CAPABILITIES)).toEqual({
      maxAttempts: declared.maxAttempts,
      ordered: true,
      lockMs: declared.lockMs,
    });
  });

  it("leaves out what a broker without ordering or visibility timeout would refuse", () => {
    const plain: BrokerCapabilities = { ...MEMORY_BROKER_CAPABILITIES, ordering: false, visibilityTimeout: false };
    for (const declared of platform.subscriptions) {
      const options = declaredSubscribeOptions(declared, plain);
      expect(options).toEqual({ maxAttempts: declared.maxAttempts });
      expect(() => validateSubscribeOptions("test", plain, options)).not.toThrow();
    }
  });

  it("lets every platform subscription start on RabbitMQ, which declares neither", () => {
    for (const declared of platform.subscriptions) {
      expect(() =>
        validateSubscribeOptions(
          "rabbitmq",
          RABBITMQ_CAPABILITIES,
          declaredSubscribeOptions(declared, RABBITMQ_CAPABILITIES),
        ),
      ).not.toThrow();
    }
  });
});
