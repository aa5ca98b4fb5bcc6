import { z } from "zod";
import { type Env, readConfig } from "../../adapters/core/config.js";
import { adapterSelectionSchema, PROVIDER_DEFAULTS, SELECTION_HINTS } from "../../adapters/select.js";
import { SERVICE_NAMES, serviceByName } from "../platform.js";
import { isPostgresUrl, postgresSslMode, VERIFYING_SSL_MODES } from "./db/pg-tls.js";

/**
 * The env contract (docs/design.md, the env contract): every setting a deployed container receives. This module
 * owns the names; the stacks inject them and a test proves, for every cloud, that what they
 * inject passes `parseServiceEnv`.
 */

const url = (protocols: readonly string[], example: string) =>
  z.string().refine((value) => protocols.some((p) => value.startsWith(`${p}://`) || value.startsWith(`${p}:`)), {
    message: `must start with ${protocols.map((p) => `${p}://`).join(" or ")}, e.g. ${example}`,
  });

const fields = adapterSelectionSchema.extend({
  SERVICE_NAME: z.enum(SERVICE_NAMES),
  PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** postgres:// for a server; pglite:<dir> (or pglite:memory) for the embedded database. */
  DATABASE_URL: url(["postgres", "postgresql", "pglite"], "postgres://user:pass@host:5432/taskflow").optional(),
  /**
   * PEM of the CA(s) that sign the PostgreSQL server's certificate (RDS's regional CAs, Cloud
   * SQL's instance CA), trusted instead of Node's default roots; goes with sslmode=verify-ca or
   * verify-full. Unset with verify-full, the server's certificate must chain to a root Node trusts.
   */
  DATABASE_TLS_CA: z.string().includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" }).optional(),
  /** redis:// or rediss:// (TLS); carries the password, so it is injected as a secret. */
  CACHE_URL: url(["redis", "rediss"], "rediss://:password@host:6380").optional(),
  /** PEM of the CA that signs the Redis server's certificate, when Node does not trust it by default. */
  CACHE_TLS_CA: z.string().includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" }).optional(),
  CACHE_MODE: z.enum(["degrade", "strict"]).default("degrade"),
  CACHE_TIMEOUT_MS: z.coerce.number().int().positive().default(250),
  AWS_REGION: z.string().min(1).optional(),
  GCP_PROJECT: z.string().min(1).optional(),
  SERVICEBUS_NAMESPACE: z.string().min(1).optional(),
  SERVICEBUS_CONNECTION_STRING: z.string().min(1).optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  RABBITMQ_URL: url(["amqp", "amqps"], "amqps://user:pass@host:5671").optional(),
  JWT_ISSUER: z.string().min(1).default("taskflow-identity"),
  JWT_AUDIENCE: z.string().min(1).default("taskflow"),
  /** Where services fetch the identity service's public keys. */
  JWT_JWKS_URL: url(["http", "https"], "http://identity:7003/.well-known/jwks.json").optional(),
  /**
   * Identity's list of ended sessions and revoked keys, polled by every verifier.
   * @default beside JWT_JWKS_URL (`/.well-known/revocations` on the same host)
   */
  JWT_REVOCATIONS_URL: url(["http", "https"], "http://identity:7003/.well-known/revocations").optional(),
  /** PKCS#8 PEM private signing key; the identity service only, injected as a secret. */
  JWT_PRIVATE_KEY: z.string().min(1).optional(),
  /** JSON map of service name → base URL, read by the gateway. */
  UPSTREAM_URLS: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(["http", "https"], "http://otel-collector:4318").optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /**
   * Accept the `x-dev-user` header as the caller's identity (no token), so that any process
   * that can reach a service's port is any user it names, or an admin. Local mode only, and
   * off there unless set to `on`; refused anywhere else. @default "off"
   */
  DEV_IDENTITY: z.enum(["on", "off"]).optional(),
  /** Gateway: requests per caller per minute. @default the gateway's own limit */
  TASKFLOW_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  /** Gateway: API requests per client address per minute, counted before authentication. */
  TASKFLOW_CLIENT_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  /**
   * Gateway: proxies in front of it whose `X-Forwarded-For` entry names the client.
   * @default 1 outside local mode (each stack puts one load balancer or ingress in front), 0 in local mode
   */
  TASKFLOW_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).optional(),
  /** Gateway: a port of its own for `/metrics`, which its public port does not serve. @default none */
  TASKFLOW_METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  /** Gateway: sign-in and registration attempts per client address per minute. */
  TASKFLOW_SIGNIN_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  /** Identity: comma-separated emails that become admins when they register. */
  TASKFLOW_ADMIN_EMAILS: z.string().optional(),
});

export const serviceEnvSchema = fields.superRefine(
  (env, ctx) => {
    // Runs even when a field is malformed (`when`), so every problem is reported in one go;
    // it checks the few parsed values it relies on before using them.
    if (!(SERVICE_NAMES as readonly unknown[]).includes(env.SERVICE_NAME)) return;
    if (!Object.hasOwn(PROVIDER_DEFAULTS, env.CLOUD_PROVIDER)) return;
    checkRequirements(env, ctx);
  },
  { when: () => true },
);

/** Settings that depend on the service, the provider and the chosen adapters. */
function checkRequirements(env: z.output<typeof fields>, ctx: z.RefinementCtx): void {
  const service = serviceByName(env.SERVICE_NAME);
  const local = env.CLOUD_PROVIDER === "local";
  const defaults = PROVIDER_DEFAULTS[env.CLOUD_PROVIDER];
  const broker = env.BROKER ?? defaults.broker;
  const cache = env.CACHE ?? defaults.cache;
  const need = (name: string, why: string) =>
    ctx.addIssue({ code: "custom", path: [name], message: `is required ${why}` });

  if (!local && env.PORT === undefined) need("PORT", "outside local mode");
  if (service.database && !local && !env.DATABASE_URL)
    need("DATABASE_URL", `because ${service.name} uses the database`);
  if (service.cache && cache === "redis" && !env.CACHE_URL) need("CACHE_URL", "when CACHE is redis");
  if (broker === "aws-sns-sqs" && !env.AWS_REGION) need("AWS_REGION", "for BROKER=aws-sns-sqs");
  if (broker === "gcp-pubsub" && !env.GCP_PROJECT) need("GCP_PROJECT", "for BROKER=gcp-pubsub");
  if (broker === "azure-service-bus" && !env.SERVICEBUS_NAMESPACE && !env.SERVICEBUS_CONNECTION_STRING) {
    need("SERVICEBUS_NAMESPACE", "for BROKER=azure-service-bus (or set SERVICEBUS_CONNECTION_STRING)");
  }
  if (broker === "kafka" && !env.KAFKA_BROKERS) need("KAFKA_BROKERS", "for BROKER=kafka");
  if (broker === "rabbitmq" && !env.RABBITMQ_URL) need("RABBITMQ_URL", "for BROKER=rabbitmq");
  if (service.signsTokens && !local && !env.JWT_PRIVATE_KEY) need("JWT_PRIVATE_KEY", "for the identity service");
  if (!service.signsTokens && !local && !env.JWT_JWKS_URL) need("JWT_JWKS_URL", "to verify access tokens");
  if (service.name === "gateway" && !local && !env.UPSTREAM_URLS) need("UPSTREAM_URLS", "for the gateway");
  checkDatabaseTls(env, ctx);
  if (env.DEV_IDENTITY === "on" && !local) {
    ctx.addIssue({
      code: "custom",
      path: ["DEV_IDENTITY"],
      message: "is only allowed when CLOUD_PROVIDER=local; unset it and use access tokens",
    });
  }
  // A malformed map is reported by its own field; here it only counts as empty.
  const topics = typeof env.BROKER_TOPICS === "object" ? env.BROKER_TOPICS : {};
  const subscriptions = typeof env.BROKER_SUBSCRIPTIONS === "object" ? env.BROKER_SUBSCRIPTIONS : {};
  for (const topic of service.publishes) {
    if (!local && !(topic in topics)) {
      ctx.addIssue({ code: "custom", path: ["BROKER_TOPICS"], message: `has no entry for topic "${topic}"` });
    }
  }
  for (const subscription of service.consumes) {
    if (!local && !(subscription in subscriptions)) {
      ctx.addIssue({
        code: "custom",
        path: ["BROKER_SUBSCRIPTIONS"],
        message: `has no entry for subscription "${subscription}"`,
      });
    }
  }
}

/**
 * DATABASE_URL's sslmode and DATABASE_TLS_CA go together. A CA is only used when the
 * certificate is checked. `verify-full` without one trusts Node's roots (its bundled public CAs
 * and NODE_EXTRA_CA_CERTS): right for a server whose certificate a public CA signs, as Azure's
 * does; RDS's and Cloud SQL's CAs are not among them, so their stacks pass DATABASE_TLS_CA.
 * `verify-ca` checks the chain but not the name, which is safe only against the server's own CA,
 * so it needs DATABASE_TLS_CA: any name a public CA signed would pass.
 */
function checkDatabaseTls(env: z.output<typeof fields>, ctx: z.RefinementCtx): void {
  const databaseUrl = typeof env.DATABASE_URL === "string" ? env.DATABASE_URL : undefined;
  const mode = databaseUrl && isPostgresUrl(databaseUrl) ? postgresSslMode(databaseUrl) : undefined;
  const verifies = mode !== undefined && VERIFYING_SSL_MODES.includes(mode);
  const problem = (message: string) => ctx.addIssue({ code: "custom", path: ["DATABASE_TLS_CA"], message });
  if (env.DATABASE_TLS_CA !== undefined) {
    if (databaseUrl === undefined || !isPostgresUrl(databaseUrl)) {
      problem(
        "is set but DATABASE_URL is not a postgres:// URL; unset DATABASE_TLS_CA or point DATABASE_URL at a server",
      );
    } else if (!verifies) {
      problem(
        `is set but DATABASE_URL has sslmode=${mode ?? "(none)"}, which does not check the certificate; use sslmode=verify-full (or verify-ca when the certificate does not name the host you dial)`,
      );
    }
  } else if (mode === "verify-ca") {
    problem(
      "is required when DATABASE_URL has sslmode=verify-ca, which checks the chain but not the host name: set it to the PEM of the CA that signs the server's certificate, or use sslmode=verify-full if a CA Node already trusts (a public one, or one in NODE_EXTRA_CA_CERTS) signs a certificate naming the host",
    );
  }
}

export type ServiceEnv = z.infer<typeof serviceEnvSchema>;

/** Validates a container's environment, reporting every problem at once. */
export function parseServiceEnv(env: Env): ServiceEnv {
  return readConfig(serviceEnvSchema, env, SELECTION_HINTS);
}
