import type { IMessageBroker, SubscribeOptions } from "../core/message-broker.js";

/**
 * A consumer in a process of its own, for the crash tests: it builds the adapter named on its
 * command line, subscribes, reports each delivery on stdout as one JSON line and never
 * finishes a handler, so the parent can SIGKILL it mid-handler as a container dies.
 *
 *     node --import tsx adapters/testing/consumer-child.ts '<ChildSpec as JSON>'
 */
export interface ChildSpec {
  /** File URL of the module that exports `factory`. */
  readonly module: string;
  readonly factory: string;
  /** JSON options handed to `factory`. */
  readonly options: unknown;
  readonly topic: string;
  readonly subscription: string;
  readonly subscribe: SubscribeOptions;
}

const spec = JSON.parse(process.argv[2] ?? "{}") as ChildSpec;
const exported = (await import(spec.module)) as Record<string, (options: unknown) => Promise<IMessageBroker>>;
const create = exported[spec.factory];
if (!create) throw new Error(`[taskflow] [tests] ${spec.module} exports no "${spec.factory}"`);
const broker = await create(spec.options);
await broker.subscribe(
  spec.topic,
  spec.subscription,
  (message) => {
    process.stdout.write(`${JSON.stringify({ received: message.id, attempt: message.attempt })}\n`);
    return new Promise<void>(() => {});
  },
  spec.subscribe,
);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
