import * as pulumi from "@pulumi/pulumi";
import type { Messaging } from "../components/api/messaging.js";
import type { CloudProvider } from "../components/api/platform.js";
import type { SecretRef } from "../components/api/secrets.js";
import type { ServiceDeclaration } from "../services/platform.js";

/**
 * Builds the env contract (docs/design.md, the env contract; names owned by services/kernel/env.ts) for one
 * service: plain values for everything public, secret references for DATABASE_URL, CACHE_URL
 * and JWT_PRIVATE_KEY. Each service sees only its own topics and subscriptions.
 */
export interface ServiceEnvInputs {
  readonly provider: CloudProvider;
  readonly service: ServiceDeclaration;
  /** Region, project and such, from Platform.providerEnvironment. */
  readonly providerEnvironment: Readonly<Record<string, string>>;
  readonly messaging: Messaging;
  readonly secrets: {
    readonly databaseUrl: SecretRef;
    readonly cacheUrl: SecretRef;
    readonly jwtPrivateKey: SecretRef;
  };
  /** Base URL of the service that publishes the JWKS; absent for that service itself. */
  readonly jwksBaseUrl?: pulumi.Input<string>;
  /** Base URLs of the services the gateway forwards to; the gateway only. */
  readonly upstreamUrls?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly logLevel: string;
  readonly otelEndpoint?: string;
  /** The cache's TLS authority, when Node does not trust it by default. */
  readonly cacheTlsCa?: pulumi.Input<string>;
  /** The database's TLS authorities, when its URL verifies the certificate. */
  readonly databaseTlsCa?: pulumi.Input<string>;
}

export interface ServiceEnvironment {
  readonly environment: Record<string, pulumi.Input<string>>;
  readonly secretEnvironment: Record<string, SecretRef>;
}

export const JWKS_PATH = "/.well-known/jwks.json";

export function buildServiceEnvironment(inputs: ServiceEnvInputs): ServiceEnvironment {
  const { service, messaging } = inputs;
  const pick = <T extends { address: pulumi.Output<string> }>(
    all: Readonly<Record<string, T>>,
    names: readonly string[],
  ) =>
    pulumi.jsonStringify(
      Object.fromEntries(
        names.map((name) => {
          const ref = all[name];
          if (!ref)
            throw new Error(
              `[taskflow] [env] service "${service.name}" names "${name}", which the broker does not have`,
            );
          return [name, ref.address];
        }),
      ),
    );

  const environment: Record<string, pulumi.Input<string>> = {
    CLOUD_PROVIDER: inputs.provider,
    SERVICE_NAME: service.name,
    PORT: String(service.port),
    LOG_LEVEL: inputs.logLevel,
    ...inputs.providerEnvironment,
  };
  if (service.publishes.length > 0 || service.consumes.length > 0)
    Object.assign(environment, messaging.adapterEnvironment);
  if (service.publishes.length > 0) environment.BROKER_TOPICS = pick(messaging.topics, service.publishes);
  if (service.consumes.length > 0) environment.BROKER_SUBSCRIPTIONS = pick(messaging.subscriptions, service.consumes);
  if (!service.signsTokens) {
    if (inputs.jwksBaseUrl === undefined) {
      throw new Error(`[taskflow] [env] service "${service.name}" verifies tokens but no JWKS URL was given`);
    }
    environment.JWT_JWKS_URL = pulumi.interpolate`${inputs.jwksBaseUrl}${JWKS_PATH}`;
  }
  if (inputs.upstreamUrls) environment.UPSTREAM_URLS = pulumi.jsonStringify(inputs.upstreamUrls);
  if (inputs.otelEndpoint) environment.OTEL_EXPORTER_OTLP_ENDPOINT = inputs.otelEndpoint;
  // A CA certificate is public, so it travels as a plain value.
  if (service.cache && inputs.cacheTlsCa !== undefined) environment.CACHE_TLS_CA = inputs.cacheTlsCa;
  if (service.database && inputs.databaseTlsCa !== undefined) environment.DATABASE_TLS_CA = inputs.databaseTlsCa;

  const secretEnvironment: Record<string, SecretRef> = {};
  if (service.database) secretEnvironment.DATABASE_URL = inputs.secrets.databaseUrl;
  if (service.cache) secretEnvironment.CACHE_URL = inputs.secrets.cacheUrl;
  if (service.signsTokens) secretEnvironment.JWT_PRIVATE_KEY = inputs.secrets.jwtPrivateKey;
  return { environment, secretEnvironment };
}
