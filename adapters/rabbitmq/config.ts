import { z } from "zod";
import { type Env, envFlag as flag, nameMapSetting, readConfig } from "../core/config.js";

const nameMap = nameMapSetting("tf.task-events");

/** The environment the RabbitMQ adapter reads. */
export const rabbitMqEnvSchema = z
  .object({
    RABBITMQ_URL: z.string().refine((value) => value.startsWith("amqp://") || value.startsWith("amqps://"), {
      message: "must start with amqp:// or amqps://, e.g. amqps://user:pass@host:5671",
    }),
    /** Handlers running at once per consumer when `subscribe` does not say; also its prefetch. */
    RABBITMQ_PREFETCH: z.coerce.number().int().min(1).max(65_535).default(10),
    RABBITMQ_AUTO_CREATE: flag.default(true),
    /** How long a publish waits for a connection (after a broker restart) and its confirm. */
    RABBITMQ_PUBLISH_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    /** Longest wait between two reconnect attempts. */
    RABBITMQ_RECONNECT_MAX_MS: z.coerce.number().int().positive().default(5_000),
    RABBITMQ_HEARTBEAT_S: z.coerce.number().int().min(0).default(15),
    BROKER_TOPICS: nameMap,
    BROKER_SUBSCRIPTIONS: nameMap,
    /** PEM of the CA behind the broker's certificate (an in-cluster broker's is the stack's own); trusted instead of Node's default roots. */
    RABBITMQ_TLS_CA: z.string().includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" }).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.RABBITMQ_TLS_CA !== undefined && !config.RABBITMQ_URL.startsWith("amqps://"))
      ctx.addIssue({
        code: "custom",
        path: ["RABBITMQ_TLS_CA"],
        message: "is set but RABBITMQ_URL is amqp:// (no TLS); use amqps:// or unset RABBITMQ_TLS_CA",
      });
  });

const HINTS: Record<string, string> = {
  RABBITMQ_URL: "set it to the broker's AMQP URL, e.g. amqp://guest:guest@127.0.0.1:5672",
  RABBITMQ_PREFETCH: "set it to a whole number from 1 to 65535",
  RABBITMQ_AUTO_CREATE: "set it to true or false",
  RABBITMQ_TLS_CA: "set it to the PEM of the CA that signed the broker's certificate",
};

/** Everything `createRabbitMqBroker` needs; `fromEnv` fills it from the environment. */
export interface RabbitMqBrokerOptions {
  readonly url: string;
  /** @default 10 */
  readonly defaultConcurrency?: number;
  /** Create exchanges and queues on first use; when off, a missing topic is `TopicNotFoundError`. @default true */
  readonly autoCreate?: boolean;
  /** @default 30_000 */
  readonly publishTimeoutMs?: number;
  /** Bounds of the reconnect backoff. @default { initialMs: 100, maxMs: 5_000 } */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  /** @default 15 */
  readonly heartbeatSeconds?: number;
  /** Logical topic → exchange name; a topic not listed is its own exchange name. */
  readonly topics?: Readonly<Record<string, string>>;
  /** Logical subscription → queue name; one not listed becomes `<exchange>.<subscription>`. */
  readonly subscriptions?: Readonly<Record<string, string>>;
  /** PEM of the CA that signed the broker's certificate, trusted instead of Node's roots (amqps only). */
  readonly tlsCa?: string;
  /** How long the first connection may take before `createRabbitMqBroker` fails. @default 10_000 */
  readonly connectTimeoutMs?: number;
}

export function readRabbitMqOptions(env: Env): RabbitMqBrokerOptions {
  const config = readConfig(rabbitMqEnvSchema, env, HINTS);
  return {
    url: config.RABBITMQ_URL,
    defaultConcurrency: config.RABBITMQ_PREFETCH,
    autoCreate: config.RABBITMQ_AUTO_CREATE,
    publishTimeoutMs: config.RABBITMQ_PUBLISH_TIMEOUT_MS,
    reconnect: { maxMs: config.RABBITMQ_RECONNECT_MAX_MS },
    heartbeatSeconds: config.RABBITMQ_HEARTBEAT_S,
    topics: config.BROKER_TOPICS,
    subscriptions: config.BROKER_SUBSCRIPTIONS,
    ...(config.RABBITMQ_TLS_CA === undefined ? {} : { tlsCa: config.RABBITMQ_TLS_CA }),
  };
}
