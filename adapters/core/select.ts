import type { ICache } from "./cache.js";
import { type BrokerKind, type CacheKind, type CloudProvider, type Env, readAdapterSelection } from "./config.js";
import type { IMessageBroker } from "./message-broker.js";

/** What an adapter folder's `index.ts` exports for the selector. */
export interface BrokerAdapterModule {
  createBrokerFromEnv(env: Env): Promise<IMessageBroker>;
}
export interface CacheAdapterModule {
  createCacheFromEnv(env: Env): Promise<ICache>;
}

/** DESIGN.md §2: the broker and cache each provider runs by default. */
export const PROVIDER_DEFAULTS: Readonly<Record<CloudProvider, { broker: BrokerKind; cache: CacheKind }>> = {
  local: { broker: "memory", cache: "memory" },
  aws: { broker: "aws-sns-sqs", cache: "redis" },
  azure: { broker: "azure-service-bus", cache: "redis" },
  gcp: { broker: "gcp-pubsub", cache: "redis" },
  kubernetes: { broker: "kafka", cache: "redis" },
};

/**
 * One line per adapter. Each loads its folder only when chosen, so local mode never loads a
 * cloud SDK.
 */
const BROKER_LOADERS: Record<BrokerKind, () => Promise<BrokerAdapterModule>> = {
  memory: () => import("../memory/index.js"),
  "aws-sns-sqs": () => import("../aws-sns-sqs/index.js"),
  "azure-service-bus": () => import("../azure-service-bus/index.js"),
  "gcp-pubsub": () => import("../gcp-pubsub/index.js"),
  kafka: () => import("../kafka/index.js"),
  rabbitmq: () => import("../rabbitmq/index.js"),
};

const CACHE_LOADERS: Record<CacheKind, () => Promise<CacheAdapterModule>> = {
  memory: () => import("../memory/index.js"),
  redis: () => import("../redis/index.js"),
};

/** The adapters `env` asks for: the provider's defaults, overridden by `BROKER` / `CACHE`. */
export function resolveAdapters(env: Env): { provider: CloudProvider; broker: BrokerKind; cache: CacheKind } {
  const selection = readAdapterSelection(env);
  const defaults = PROVIDER_DEFAULTS[selection.CLOUD_PROVIDER];
  return {
    provider: selection.CLOUD_PROVIDER,
    broker: selection.BROKER ?? defaults.broker,
    cache: selection.CACHE ?? defaults.cache,
  };
}

export async function createBroker(env: Env = process.env): Promise<IMessageBroker> {
  const { broker } = resolveAdapters(env);
  return (await BROKER_LOADERS[broker]()).createBrokerFromEnv(env);
}

export async function createCache(env: Env = process.env): Promise<ICache> {
  const { cache } = resolveAdapters(env);
  return (await CACHE_LOADERS[cache]()).createCacheFromEnv(env);
}
