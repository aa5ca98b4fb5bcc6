import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { JWTVerifyGetKey } from "jose";
import type { ICache } from "../../adapters/core/cache.js";
import type { Env } from "../../adapters/core/config.js";
import type { IMessageBroker } from "../../adapters/core/message-broker.js";
import { createBroker, createCache } from "../../adapters/select.js";
import { type ServiceDeclaration, type ServiceName, serviceByName } from "../platform.js";
import { devHeaderIdentitySource, firstOf, type IdentitySource, jwtIdentitySource } from "./auth/caller.js";
import {
  createRevocationPoller,
  httpRevocationSource,
  type RevocationCheck,
  revocationsUrlBeside,
} from "./auth/revocations.js";
import type { Database } from "./db/database.js";
import { type MigrationSource, migrate } from "./db/migrate.js";
import { openDatabase } from "./db/open-database.js";
import { pruneBookkeeping } from "./db/retention.js";
import { parseServiceEnv, type ServiceEnv } from "./env.js";
import type { ReadinessCheck } from "./http/health.js";
import { createOutboxRelay, type OutboxRelay } from "./messaging/outbox-relay.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { initTracing } from "./observability/tracing.js";

/**
 * Everything a service process holds, opened from its environment in one call: validated
 * config (every problem reported at once), logger, tracing, database with migrations applied,
 * cache, broker, the outbox relay, the caller-identity source, and an hourly pruning of old
 * idempotency keys, inbox ids and sent outbox rows. Local mode passes one
 * shared in-memory broker (and cache) to every service instead of creating its own.
 */
export interface ServiceRuntime {
  readonly env: ServiceEnv;
  readonly service: ServiceDeclaration;
  readonly log: Logger;
  readonly db: Database;
  readonly cache: ICache;
  readonly broker: IMessageBroker;
  readonly identity: IdentitySource;
  readonly relay: OutboxRelay;
  /** Database, broker (critical) and cache (critical only in strict mode), for `/health/ready`. */
  readonly readiness: readonly ReadinessCheck[];
  /**
   * The name to hand the broker for a topic of platform.ts: the declared one. The adapter reads
   * the same `BROKER_TOPICS` and maps it to the stack's ARN or id itself; a physical name
   * handed to it would be taken for a logical one and not found.
   */
  topicName(topic: string): string;
  /** The same for a subscription (`BROKER_SUBSCRIPTIONS`). */
  subscriptionName(subscription: string): string;
  /** Stops the relay and closes what this runtime opened (not injected adapters). Idempotent. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  readonly migrations: readonly MigrationSource[];
  /** Shared adapters (local mode, tests); closed by whoever created them. */
  readonly broker?: IMessageBroker;
  readonly cache?: ICache;
  readonly db?: Database;
  /** Verification keys instead of fetching `JWT_JWKS_URL` (tests). */
  readonly jwtKeys?: JWTVerifyGetKey;
  readonly log?: Logger;
  /** Start the outbox relay. @default true */
  readonly startRelay?: boolean;
}

export async function openRuntime(name: ServiceName, rawEnv: Env, options: RuntimeOptions): Promise<ServiceRuntime> {
  const env = parseServiceEnv({ ...rawEnv, SERVICE_NAME: name });
  const service = serviceByName(name);
  const log = options.log ?? createLogger({ service: name, level: env.LOG_LEVEL });
  initTracing({
    serviceName: name,
    ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });

  const opened: (() => Promise<void>)[] = [];
  try {
    const db =
      options.db ??
      (await openDatabase(env.DATABASE_URL ?? `pglite:.taskflow/${name}`, { tlsCa: env.DATABASE_TLS_CA }));
    if (!options.db) opened.push(() => db.close());
    await migrate(db, options.migrations);

    // A service declared without a cache gets no CACHE_URL from the stacks; it keeps its few
    // cached reads in its own memory instead of opening the provider's cache.
    const rootCache = options.cache ?? (await createCache(service.cache ? rawEnv : { ...rawEnv, CACHE: "memory" }));
    if (!options.cache) opened.push(() => rootCache.close());
    const cache = rootCache.withNamespace(`${rootCache.namespace}.${name}`);

    const broker = options.broker ?? (await createBroker(rawEnv));
    if (!options.broker) opened.push(() => broker.close());

    const topicName = (topic: string) => topic;
    const subscriptionName = (subscription: string) => subscription;

    const sources: IdentitySource[] = [];
    if (options.jwtKeys || env.JWT_JWKS_URL) {
      const revocations = service.signsTokens ? undefined : revocationPoller(env, log);
      if (revocations) opened.push(async () => revocations.close());
      sources.push(
        jwtIdentitySource({
          ...(options.jwtKeys ? { keys: options.jwtKeys } : { jwksUrl: env.JWT_JWKS_URL! }),
          issuer: env.JWT_ISSUER,
          audience: env.JWT_AUDIENCE,
          ...(revocations ? { revocations } : {}),
        }),
      );
    }
    // Off unless asked for: with it, any local process could act as any user, or as an admin.
    if (env.DEV_IDENTITY === "on") sources.push(devHeaderIdentitySource());

    const relay = createOutboxRelay({
      db,
      broker,
      topics: service.publishes,
      resolveTopic: topicName,
      onError: (error, messageId) => log.warn({ err: error, messageId }, "outbox publish failed; will retry"),
    });
    if (options.startRelay !== false && service.publishes.length > 0) relay.start();
    const pruning = setInterval(() => {
      pruneBookkeeping(db).catch((error: unknown) => log.warn({ err: error }, "cannot prune bookkeeping rows"));
    }, 3_600_000);
    pruning.unref();

    let closed = false;
    return {
      env,
      service,
      log,
      db,
      cache,
      broker,
      identity: firstOf(...sources),
      relay,
      readiness: [
        { name: "database", ping: () => db.ping() },
        { name: "broker", ping: () => broker.ping() },
        { name: "cache", ping: () => cache.ping(), critical: env.CACHE_MODE === "strict" },
      ],
      topicName,
      subscriptionName,
      async close() {
        if (closed) return;
        closed = true;
        clearInterval(pruning);
        await relay.stop();
        for (const close of opened.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw error;
  }
}

/**
 * The poller of identity's revocation list, at `JWT_REVOCATIONS_URL` or beside the JWKS;
 * undefined when neither is set (tests that hand in keys and no identity).
 */
export function revocationPoller(
  env: Pick<ServiceEnv, "JWT_REVOCATIONS_URL" | "JWT_JWKS_URL">,
  log: Logger,
): (RevocationCheck & { close(): void }) | undefined {
  const url = env.JWT_REVOCATIONS_URL ?? (env.JWT_JWKS_URL ? revocationsUrlBeside(env.JWT_JWKS_URL) : undefined);
  return url ? createRevocationPoller({ source: httpRevocationSource(url), log }) : undefined;
}

/**
 * Where a service accepts connections: loopback in local mode, so a laptop exposes nothing;
 * every interface elsewhere, because a container is reached over its network.
 */
export function bindHost(env: Pick<ServiceEnv, "CLOUD_PROVIDER">): string {
  return env.CLOUD_PROVIDER === "local" ? "127.0.0.1" : "0.0.0.0";
}

/** Listens on `port` (0 picks a free one) and resolves with the bound port and a close function. */
export function listen(
  app: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host = "127.0.0.1",
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.keepAliveTimeout = 65_000;
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
