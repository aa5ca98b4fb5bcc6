import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { ContainerService } from "../components/api/container-service.js";
import type { Platform } from "../components/api/platform.js";
import { platform as application, type PlatformDeclaration, type ServiceDeclaration } from "../services/platform.js";
import { buildServiceEnvironment } from "./service-env.js";
import type { StackSettings } from "./settings.js";

export interface StackOutputs {
  readonly cloudProvider: string;
  /** The gateway's address; absent until an image is deployed. */
  readonly publicUrl?: pulumi.Output<string>;
  /** Push the image here, then `pulumi config set taskflow:imageTag <tag>`. */
  readonly registryUrl: pulumi.Output<string>;
  readonly clusterName?: pulumi.Output<string>;
  readonly databaseServer: pulumi.Output<string>;
  readonly cacheServer: pulumi.Output<string>;
  readonly services: Record<string, pulumi.Output<string>>;
  readonly topics: Record<string, pulumi.Output<string>>;
  readonly subscriptions: Record<string, pulumi.Output<string>>;
  readonly deadLetters: Record<string, pulumi.Output<string>>;
  readonly logs: Record<string, pulumi.Output<string>>;
}

/** Each service runs the same image; the command picks its bundle (see scripts/build-services.ts). */
export const serviceCommand = (service: string) => [`dist/services/${service}/main.js`];

/**
 * Creation order: the token signer first (everyone else needs its JWKS URL), then the private
 * services, then the public gateway (it needs every upstream URL).
 */
export function creationOrder(services: readonly ServiceDeclaration[]): ServiceDeclaration[] {
  const rank = (s: ServiceDeclaration) => (s.signsTokens ? 0 : s.public ? 2 : 1);
  return [...services].sort((a, b) => rank(a) - rank(b));
}

/**
 * Provisions every entry of services/platform.ts on `platform`: the same calls on every cloud,
 * so what differs between clouds lives only in components/<cloud>/.
 */
export function buildStack(
  platform: Platform,
  settings: StackSettings,
  declaration: PlatformDeclaration = application,
): StackOutputs {
  const { appName: app } = settings;
  const network = platform.network(`${app}-network`, {
    cidr: settings.networkCidr,
    highAvailabilityNat: settings.highAvailabilityNat,
  });
  const database = platform.database(`${app}-db`, {
    network,
    databaseName: declaration.database.name,
    engineVersion: declaration.database.engineVersion,
    storageGb: declaration.database.storageGb,
    backupRetentionDays: declaration.database.backupRetentionDays,
    instanceSize: settings.databaseInstance,
    deletionProtection: settings.deletionProtection,
  });
  const cache = platform.cache(`${app}-cache`, {
    network,
    memoryMb: declaration.cache.memoryMb,
    engineVersion: declaration.cache.engineVersion,
    replicas: settings.cacheReplicas,
  });
  const messaging = platform.messaging(`${app}-broker`, {
    topics: declaration.topics,
    subscriptions: declaration.subscriptions,
  });
  const registry = platform.registry(`${app}-registry`, {});
  // ES256 signing key (what services/identity accepts), generated once and kept in state; only
  // the identity service receives it.
  const signingKey = new tls.PrivateKey(`${app}-jwt`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
  const secrets = {
    databaseUrl: platform.secret(`${app}-database-url`, {
      value: database.connectionUrl,
      description: "DATABASE_URL: PostgreSQL connection URL with the generated password",
    }),
    cacheUrl: platform.secret(`${app}-cache-url`, {
      value: cache.connectionUrl,
      description: "CACHE_URL: Redis URL with the AUTH token",
    }),
    jwtPrivateKey: platform.secret(`${app}-jwt-key`, {
      value: signingKey.privateKeyPemPkcs8,
      description: "JWT_PRIVATE_KEY: PKCS#8 PEM key the identity service signs access tokens with",
    }),
  };
  const logs = platform.logs(`${app}-logs`, {
    appName: app,
    services: declaration.services.map((s) => s.name),
    retentionDays: settings.logRetentionDays,
  });

  const outputs = {
    cloudProvider: platform.provider,
    registryUrl: registry.repositoryUrl,
    databaseServer: database.serverName,
    cacheServer: cache.serverName,
    topics: mapValues(messaging.topics, (t) => t.address),
    subscriptions: mapValues(messaging.subscriptions, (s) => s.address),
    deadLetters: mapValues(messaging.subscriptions, (s) => s.deadLetter.address),
    logs: { ...logs.destinations },
  };
  const image =
    settings.image ??
    (settings.imageTag ? pulumi.interpolate`${registry.repositoryUrl}:${settings.imageTag}` : undefined);
  if (image === undefined) {
    pulumi.log.warn(
      "taskflow:imageTag is not set, so no services are deployed yet: push the image to the registryUrl output, then `pulumi config set taskflow:imageTag <tag>` and run `pulumi up` again",
    );
    return { ...outputs, services: {} };
  }

  const cluster = platform.cluster(app, { network, domain: settings.domain });
  const providerEnvironment = platform.providerEnvironment();
  const created = new Map<string, ContainerService>();
  for (const service of creationOrder(declaration.services)) {
    const signer = declaration.services.find((s) => s.signsTokens);
    const upstreams = service.public
      ? Object.fromEntries(
          declaration.services.filter((s) => !s.public).map((s) => [s.name, requireCreated(created, s.name).url]),
        )
      : undefined;
    const { environment, secretEnvironment } = buildServiceEnvironment({
      provider: platform.provider,
      service,
      providerEnvironment,
      messaging,
      secrets,
      jwksBaseUrl: signer && !service.signsTokens ? requireCreated(created, signer.name).url : undefined,
      upstreamUrls: upstreams,
      logLevel: settings.logLevel,
      otelEndpoint: settings.otelEndpoint,
      cacheTlsCa: cache.tlsCaCertificate,
      databaseTlsCa: database.tlsCaCertificate,
    });
    const logDestination = logs.destinations[service.name];
    if (!logDestination) throw new Error(`[taskflow] [stack] no log destination for service "${service.name}"`);
    created.set(
      service.name,
      cluster.addService(`${app}-${service.name}`, {
        service: service.name,
        image,
        command: serviceCommand(service.name),
        port: service.port,
        cpu: service.cpu,
        memoryMb: service.memoryMb,
        minInstances: service.scaling.minInstances,
        maxInstances: service.scaling.maxInstances,
        cpuTargetPercent: service.scaling.cpuTargetPercent,
        livenessPath: service.health.livenessPath,
        readinessPath: service.health.readinessPath,
        public: service.public,
        environment,
        secretEnvironment,
        publishes: service.publishes.map((t) => requireRef(messaging.topics, t, service.name)),
        consumes: service.consumes.map((s) => requireRef(messaging.subscriptions, s, service.name)),
        connectsTo: { database: service.database, cache: service.cache },
        logDestination,
      }),
    );
  }
  const entry = declaration.services.find((s) => s.public);
  return {
    ...outputs,
    clusterName: cluster.clusterName,
    publicUrl: entry ? requireCreated(created, entry.name).url : undefined,
    services: Object.fromEntries([...created].map(([name, service]) => [name, service.serviceName])),
  };
}

function requireCreated(created: ReadonlyMap<string, ContainerService>, name: string): ContainerService {
  const service = created.get(name);
  if (!service) throw new Error(`[taskflow] [stack] service "${name}" is needed before it is created`);
  return service;
}

function requireRef<T>(refs: Readonly<Record<string, T>>, name: string, service: string): T {
  const ref = refs[name];
  if (!ref) throw new Error(`[taskflow] [stack] service "${service}" names "${name}", which the broker does not have`);
  return ref;
}

function mapValues<T, R>(record: Readonly<Record<string, T>>, fn: (value: T) => R): Record<string, R> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}
