import { afterEach, beforeAll, describe, expect } from "vitest";
import type { IMessageBroker } from "../core/message-broker.js";
import { defineCertificationContract } from "./broker-contract-certification.js";
import {
  type BrokerContractOptions,
  type BrokerFactory,
  type BrokerFactoryOptions,
  createContext,
} from "./broker-contract-context.js";
import { defineDeliveryContract, definePublishContract } from "./broker-contract-delivery.js";
import { defineFailureContract, defineFaultContract } from "./broker-contract-failures.js";
import { defineFeatureContract, defineTimingContract } from "./broker-contract-features.js";
import { defineLifecycleContract } from "./broker-contract-lifecycle.js";
import { gatedTitle } from "./servers.js";

export type { BrokerContractOptions, BrokerFactory, BrokerFactoryOptions };

/**
 * The shared `IMessageBroker` suite of docs/contracts.md (B01–B29, fault tests F3 and F4, FC2–FC5),
 * written once and called from each adapter's test file:
 *
 *     runBrokerContract("memory", (options) => createClient(options), { capabilities });
 *
 * Tests whose capability the adapter does not declare are skipped by name, with the reason
 * in the title, and B28 then checks that the adapter refuses that feature. Every test uses
 * topic and subscription names unique to the run and closes every client it opened.
 */
export function runBrokerContract(name: string, factory: BrokerFactory, options: BrokerContractOptions): void {
  const title = gatedTitle(`broker contract: ${name}`, options.skip);
  const suite = options.skip ? describe.skip : describe;
  suite(title, () => {
    const opened: IMessageBroker[] = [];
    const ctx = createContext(name, factory, options, opened);

    beforeAll(async () => {
      const broker = await ctx.open();
      // The declared capabilities decide which tests run; they must be the adapter's own.
      expect(broker.capabilities).toEqual(options.capabilities);
      await broker.close();
    });

    afterEach(async () => {
      const closing = opened.splice(0).map((broker) => broker.close());
      const results = await Promise.allSettled(closing);
      const failure = results.find((result) => result.status === "rejected");
      if (failure) throw new Error("[taskflow] [tests] a broker client failed to close", { cause: failure.reason });
    });

    // In contract order: B01–B28, then the fault tests.
    defineDeliveryContract(ctx);
    defineFailureContract(ctx);
    defineFeatureContract(ctx);
    definePublishContract(ctx);
    defineTimingContract(ctx);
    defineLifecycleContract(ctx, { messages: options.b26?.messages ?? 10_000, reason: options.b26?.reason });
    defineFaultContract(ctx);
    defineCertificationContract(ctx);
  });
}
