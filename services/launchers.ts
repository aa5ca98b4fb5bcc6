import type { JWTVerifyGetKey } from "jose";
import type { ICache } from "../adapters/core/cache.js";
import type { Env } from "../adapters/core/config.js";
import type { IMessageBroker } from "../adapters/core/message-broker.js";
import { createBroker, createCache } from "../adapters/select.js";
import { createGateway, type UpstreamName } from "./gateway/app.js";
import { startRevocationConsumer } from "./gateway/revocations.js";
import type { SigningKey } from "./identity/domain/signing-key.js";
import { jwtIdentitySource } from "./kernel/auth/caller.js";
import type { MigrationSource } from "./kernel/db/migrate.js";
import { parseServiceEnv } from "./kernel/env.js";
import { createLogger } from "./kernel/observability/logger.js";
import { initTracing } from "./kernel/observability/tracing.js";
import type { ServiceRuntime } from "./kernel/runtime.js";
import { platform, type ServiceName, serviceByName } from "./platform.js";

/**
 * How each service of `platform.ts` starts, for both entries: `main.ts` (one service per
 * container, real adapters from the env contract) and `local.ts` (every service in one
 * process, sharing an in-memory broker and cache). Each service's modules load only when it
 * starts, so local mode's gateway answers before the databases and services have loaded.
 */

const kernelRuntime = () => import("./kernel/runtime.js");

export interface LaunchContext {
  readonly env: Env;
  /** Shared adapters (local mode); each service opens its own from `env` otherwise. */
  readonly broker?: IMessageBroker;
  readonly cache?: ICache;
  /** Keys to verify access tokens with, when identity runs in the same process. */
  readonly jwtKeys?: JWTVerifyGetKey;
  /** Identity's signing key, when the caller already loaded it. */
  readonly signingKey?: SigningKey;
  /** @default the service's port from `PORT`, else `platform.ts` */
  readonly port?: number;
}

export interface Launched {
  readonly name: ServiceName;
  readonly port: number;
  /** Publishes what the service's outbox still holds; resolves when it is empty. */
  drain(): Promise<void>;
  /** Stops listening, consumers and timers, then releases what the service opened. */
  close(): Promise<void>;
}

type Launcher = (ctx: LaunchContext) => Promise<Launched>;

async function runtimeFor(
  name: ServiceName,
  ctx: LaunchContext,
  migrations: MigrationSource[],
): Promise<ServiceRuntime> {
  const { openRuntime } = await kernelRuntime();
  return openRuntime(name, ctx.env, {
    migrations,
    ...(ctx.broker ? { broker: ctx.broker } : {}),
    ...(ctx.cache ? { cache: ctx.cache } : {}),
    ...(ctx.jwtKeys ? { jwtKeys: ctx.jwtKeys } : {}),
  });
}

const portOf = (ctx: LaunchContext, runtime: { env: { PORT?: number | undefined } }, name: ServiceName) =>
  ctx.port ?? runtime.env.PORT ?? serviceByName(name).port;

/** A runtime-backed service: its HTTP server, what else it stops, and its runtime. */
async function served(
  name: ServiceName,
  runtime: ServiceRuntime,
  port: number,
  start: () => Promise<{ port: number; close(): Promise<void> }>,
): Promise<Launched> {
  try {
    const started = await start();
    runtime.log.info({ port: started.port }, `${name} service listening`);
    return {
      name,
      port: started.port,
      drain: () => runtime.relay.flush(),
      async close() {
        await started.close();
        await runtime.relay.flush().catch((error) => runtime.log.warn({ err: error }, "outbox not drained"));
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw new Error(`[taskflow] [${name}] cannot start on port ${port}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A rate limit from a setting such as `TASKFLOW_RATE_LIMIT_PER_MINUTE=1200` (benchmarks raise
 * it; the env contract has checked it); unset keeps the gateway's default.
 */
function perMinute(option: "rateLimit" | "authRateLimit" | "clientRateLimit", limit: number | undefined) {
  return limit === undefined ? {} : { [option]: { limit, windowMs: 60_000 } };
}

/** Comma-separated emails that become admins when they register (identity only). */
const adminEmails = (env: Env) =>
  (env.TASKFLOW_ADMIN_EMAILS ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);

export const LAUNCHERS: Readonly<Record<ServiceName, Launcher>> = {
  async gateway(ctx) {
    const env = parseServiceEnv({ ...ctx.env, SERVICE_NAME: "gateway" });
    const log = createLogger({ service: "gateway", level: env.LOG_LEVEL });
    initTracing({
      serviceName: "gateway",
      ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
    });
    const cache = ctx.cache ?? (await createCache(ctx.env));
    const broker = ctx.broker ?? (await createBroker(ctx.env));
    const upstreams = env.UPSTREAM_URLS
      ? (JSON.parse(env.UPSTREAM_URLS) as Record<UpstreamName, string>)
      : (Object.fromEntries(
          platform.services.filter((s) => s.name !== "gateway").map((s) => [s.name, `http://127.0.0.1:${s.port}`]),
        ) as Record<UpstreamName, string>);
    const keys = ctx.jwtKeys;
    if (!keys && !env.JWT_JWKS_URL)
      throw new Error("[taskflow] [gateway] JWT_JWKS_URL is required to verify access tokens");
    const { bindHost, listen, revocationPoller } = await kernelRuntime();
    const revoked = revocationPoller(env, log);
    const gateway = createGateway({
      upstreams,
      cache,
      log,
      identity: jwtIdentitySource({
        ...(keys ? { keys } : { jwksUrl: env.JWT_JWKS_URL! }),
        issuer: env.JWT_ISSUER,
        audience: env.JWT_AUDIENCE,
        ...(revoked ? { revocations: revoked } : {}),
      }),
      ...perMinute("rateLimit", env.TASKFLOW_RATE_LIMIT_PER_MINUTE),
      ...perMinute("authRateLimit", env.TASKFLOW_SIGNIN_LIMIT_PER_MINUTE),
      // In local mode every client is this machine: one address limit would be one limit for all.
      ...perMinute(
        "clientRateLimit",
        env.TASKFLOW_CLIENT_LIMIT_PER_MINUTE ?? (env.CLOUD_PROVIDER === "local" ? 60_000 : undefined),
      ),
      trustedProxyHops: env.TASKFLOW_TRUSTED_PROXY_HOPS ?? (env.CLOUD_PROVIDER === "local" ? 0 : 1),
      // The broker only carries key revocations to the gateway: an outage is reported, but must
      // not take the public entry out of rotation (a revoked key still fails at identity's
      // exchange once its cached token lapses). The cache is critical only in strict mode.
      readiness: [
        { name: "broker", ping: () => broker.ping(), critical: false },
        { name: "cache", ping: () => cache.ping(), critical: env.CACHE_MODE === "strict" },
      ],
    });
    // Declared names: the adapter maps them to the stack's with BROKER_TOPICS / BROKER_SUBSCRIPTIONS.
    const revocations = await startRevocationConsumer({ broker, cache });
    const port = ctx.port ?? env.PORT ?? serviceByName("gateway").port;
    const server = await listen(gateway.app, port, bindHost(env));
    log.info({ port: server.port }, "gateway listening");
    // The gateway's port is public: its metrics go on a port of their own, for the scraper only.
    const metricsServer =
      env.TASKFLOW_METRICS_PORT === undefined
        ? undefined
        : await listen(
            (req, res) => {
              if (req.method !== "GET" || req.url !== "/metrics") {
                res.writeHead(404).end();
                return;
              }
              gateway.metrics.registry.metrics().then(
                (text) => {
                  res.writeHead(200, { "content-type": gateway.metrics.registry.contentType }).end(text);
                },
                () => res.writeHead(500).end(),
              );
            },
            env.TASKFLOW_METRICS_PORT,
            bindHost(env),
          );
    return {
      name: "gateway",
      port: server.port,
      drain: async () => {},
      async close() {
        await server.close();
        await metricsServer?.close();
        await revocations.close();
        revoked?.close();
        gateway.close();
        if (!ctx.broker) await broker.close();
        if (!ctx.cache) await cache.close();
      },
    };
  },

  async identity(ctx) {
    const { createIdentityService, IDENTITY_MIGRATIONS, localVerificationKeys, resolveSigningKey } = await import(
      "./identity/service.js"
    );
    const { bindHost, listen } = await kernelRuntime();
    // The key first: a key identity cannot sign with stops it before it opens anything. Its own
    // routes (API keys, sessions) verify tokens with it; no stack gives identity a JWKS URL.
    const key = ctx.signingKey ?? (await resolveSigningKey(parseServiceEnv({ ...ctx.env, SERVICE_NAME: "identity" })));
    const runtime = await runtimeFor("identity", { ...ctx, jwtKeys: ctx.jwtKeys ?? localVerificationKeys(key) }, [
      IDENTITY_MIGRATIONS,
    ]);
    const port = portOf(ctx, runtime, "identity");
    return served("identity", runtime, port, async () => {
      const service = await createIdentityService(
        { ...runtime, notifyRelay: () => runtime.relay.notify() },
        { key, adminEmails: adminEmails(ctx.env) },
      );
      const server = await listen(service.app, port, bindHost(runtime.env));
      return {
        port: server.port,
        async close() {
          await server.close();
          await service.stop();
        },
      };
    });
  },

  async notifications(ctx) {
    const { createNotificationsService, NOTIFICATIONS_MIGRATIONS } = await import("./notifications/service.js");
    const { bindHost, listen } = await kernelRuntime();
    const runtime = await runtimeFor("notifications", ctx, [NOTIFICATIONS_MIGRATIONS]);
    const port = portOf(ctx, runtime, "notifications");
    return served("notifications", runtime, port, async () => {
      const service = await createNotificationsService(runtime);
      const server = await listen(service.app, port, bindHost(runtime.env));
      return {
        port: server.port,
        async close() {
          await server.close();
          await service.stop();
        },
      };
    });
  },

  async tasks(ctx) {
    const { startTasksService, TASKS_MIGRATIONS } = await import("./tasks/service.js");
    const runtime = await runtimeFor("tasks", ctx, [TASKS_MIGRATIONS]);
    const port = portOf(ctx, runtime, "tasks");
    return served("tasks", runtime, port, () => startTasksService(runtime, port));
  },

  async users(ctx) {
    const { startUsersService, USERS_MIGRATIONS } = await import("./users/service.js");
    const runtime = await runtimeFor("users", ctx, [USERS_MIGRATIONS]);
    const port = portOf(ctx, runtime, "users");
    return served("users", runtime, port, () => startUsersService(runtime, port));
  },
};

/** Local mode listens on loopback only; a container listens on every interface. */
