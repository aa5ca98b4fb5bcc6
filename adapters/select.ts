import { z } from "zod";
import type { ICache } from "./core/cache.js";
import { brokerNameMaps, type Env, readConfig } from "./core/config.js";
import type { IMessageBroker } from "./core/message-broker.js";

/**
 * The adapter registry: one line per adapter, and where each provider's defaults are set.
 * Every list of names (the accepted values of BROKER, CACHE and CLOUD_PROVIDER) is derived
 * from the tables below, so a new adapter is its folder plus one line here. Each loads its
 * folder only when chosen, so local mode never loads a cloud SDK.
 */

/** What an adapter folder's `index.ts` exports for the selector. */
export interface BrokerAdapterModule {
  createBrokerFromEnv(env: Env): Promise<IMessageBroker>;
}
export interface CacheAdapterModule {
  createCacheFromEnv(env: Env): Promise<ICache>;
}

const BROKER_LOADERS = {
  memory: () => import("./memory/index.js"),
  "aws-sns-sqs": () => import("./aws-sns-sqs/index.js"),
  "azure-service-bus": () => import("./azure-service-bus/index.js"),
  "gcp-pubsub": () => import("./gcp-pubsub/index.js"),
  kafka: () => import("./kafka/index.js"),
  rabbitmq: () => import("./rabbitmq/index.js"),
} as const satisfies Record<string, () => Promise<BrokerAdapterModule>>;

const CACHE_LOADERS = {
  memory: () => import("./memory/index.js"),
  redis: () => import("./redis/index.js"),
} as const satisfies Record<string, () => Promise<CacheAdapterModule>>;

export type BrokerKind = keyof typeof BROKER_LOADERS;
export type CacheKind = keyof typeof CACHE_LOADERS;

/** The broker and cache each provider runs unless BROKER / CACHE say otherwise (docs/design.md, providers). */
const DEFAULTS_BY_PROVIDER = {
  local: { broker: "memory", cache: "memory" },
  aws: { broker: "aws-sns-sqs", cache: "redis" },
  azure: { broker: "azure-service-bus", cache: "redis" },
  gcp: { broker: "gcp-pubsub", cache: "redis" },
  kubernetes: { broker: "kafka", cache: "redis" },
} as const satisfies Record<string, { broker: BrokerKind; cache: CacheKind }>;

/** Where the application runs; picks the default broker and cache. */
export type CloudProvider = keyof typeof DEFAULTS_BY_PROVIDER;

export const PROVIDER_DEFAULTS: Readonly<Record<CloudProvider, { broker: BrokerKind; cache: CacheKind }>> =
  DEFAULTS_BY_PROVIDER;

const keysOf = <K extends string>(table: Record<K, unknown>) => Object.keys(table) as [K, ...K[]];
export const CLOUD_PROVIDERS = keysOf(DEFAULTS_BY_PROVIDER);
export const BROKER_KINDS = keysOf(BROKER_LOADERS);
export const CACHE_KINDS = keysOf(CACHE_LOADERS);

/** The settings every process reads to choose its adapters. */
export const adapterSelectionSchema = brokerNameMaps.extend({
  CLOUD_PROVIDER: z.enum(CLOUD_PROVIDERS).default("local"),
  BROKER: z.enum(BROKER_KINDS).optional(),
  CACHE: z.enum(CACHE_KINDS).optional(),
});
export type AdapterSelection = z.infer<typeof adapterSelectionSchema>;

/** How to fix a bad selection value, by variable name; shown beside the problem. */
export const SELECTION_HINTS: Readonly<Record<string, string>> = {
  CLOUD_PROVIDER: `set it to one of ${CLOUD_PROVIDERS.join(", ")}`,
  BROKER: `set it to one of ${BROKER_KINDS.join(", ")}, or unset it to use the provider's default`,
  CACHE: `set it to one of ${CACHE_KINDS.join(", ")}, or unset it to use the provider's default`,
};

export function readAdapterSelection(env: Env): AdapterSelection {
  return readConfig(adapterSelectionSchema, env, SELECTION_HINTS);
}

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
