import type { CheckedResource } from "./harness.js";
import type { Target } from "./rule.js";
import { AWS, AZURE, GCP, K8S } from "./rules/types.js";

/** A resource whose inputs and outputs are the same props, as a fixture needs. */
export const res = (type: string, name: string, props: Record<string, unknown>): CheckedResource => ({
  type,
  name,
  inputs: props,
  state: props,
});

export interface Fixture {
  readonly rule: string;
  readonly target: Target;
  /** A small graph that meets the rule. */
  readonly passing: CheckedResource[];
  /** The same graph with one thing the rule exists to catch. */
  readonly failing: CheckedResource[];
  /** What the failing graph's violation says. */
  readonly message: RegExp;
}

const arn = (name: string) => `arn:aws:sqs:eu-west-1:123456789012:${name}`;
const params = () =>
  res(AWS.rdsParams, "params", {
    name: "db-params",
    parameters: [
      { name: "rds.force_ssl", value: "1" },
      { name: "log_connections", value: "1" },
      { name: "log_disconnections", value: "1" },
    ],
  });
const rds = (props: object = {}) =>
  res(AWS.rds, "db", {
    engine: "postgres",
    publiclyAccessible: false,
    storageEncrypted: true,
    deletionProtection: true,
    parameterGroupName: "db-params",
    vpcSecurityGroupIds: ["sg-db"],
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    ...props,
  });
const sql = (settings: object = {}, props: object = {}) =>
  res(GCP.sql, "sql", {
    databaseVersion: "POSTGRES_16",
    deletionProtection: true,
    ...props,
    settings: {
      deletionProtectionEnabled: true,
      databaseFlags: [
        { name: "log_connections", value: "on" },
        { name: "log_disconnections", value: "on" },
      ],
      ipConfiguration: { ipv4Enabled: false, sslMode: "ENCRYPTED_ONLY" },
      ...settings,
    },
  });
const redisGcp = (props: object = {}) =>
  res(GCP.redis, "redis", {
    authorizedNetwork: "projects/p/global/networks/vpc",
    transitEncryptionMode: "SERVER_AUTHENTICATION",
    ...props,
  });
const queues = (maxReceiveCount: unknown, dlq = arn("q-dlq")) => [
  res(AWS.sqs, "q", { arn: arn("q"), redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq, maxReceiveCount }) }),
  res(AWS.sqs, "q-dlq", { arn: arn("q-dlq") }),
  res(AWS.snsSubscription, "sub", {
    protocol: "sqs",
    endpoint: arn("q"),
    topic: "arn:aws:sns:eu-west-1:123456789012:t",
  }),
];
const pubsub = (policy: object | undefined, drained = true) => [
  res(GCP.topic, "t", { project: "p", name: "t" }),
  res(GCP.topic, "t-dlq", { project: "p", name: "t-dlq" }),
  res(GCP.subscription, "s", { topic: "projects/p/topics/t", ...(policy ? { deadLetterPolicy: policy } : {}) }),
  ...(drained ? [res(GCP.subscription, "s-dlq", { topic: "projects/p/topics/t-dlq" })] : []),
];
const ecs = (
  scaling: { min: number; max: number } | undefined,
  healthCheck: object | undefined = { command: ["CMD", "true"] },
) => [
  res(AWS.ecsService, "svc", {
    name: "svc",
    taskDefinition: "arn:task",
    loadBalancers: [{ targetGroupArn: "arn:tg" }],
  }),
  res(AWS.taskDefinition, "task", {
    arn: "arn:task",
    containerDefinitions: JSON.stringify([
      { name: "app", healthCheck, logConfiguration: { options: { "awslogs-group": "/g" } } },
    ]),
  }),
  res(AWS.targetGroup, "tg", { arn: "arn:tg", healthCheck: { path: "/health/ready" } }),
  ...(scaling
    ? [
        res(AWS.scalingTarget, "scale", {
          resourceId: "service/c/svc",
          minCapacity: scaling.min,
          maxCapacity: scaling.max,
        }),
      ]
    : []),
];
const run = (container: object = {}, scaling: object = { minInstanceCount: 1, maxInstanceCount: 5 }) =>
  res(GCP.run, "run", {
    template: {
      scaling,
      containers: [
        {
          livenessProbe: { httpGet: { path: "/health/live" } },
          startupProbe: { httpGet: { path: "/health/ready" } },
          envs: [{ name: "DATABASE_URL", valueSource: { secretKeyRef: { secret: "db", version: "1" } } }],
          ...container,
        },
      ],
    },
  });
const doc = (statement: object) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...statement }] });
const task = (environment: object[]) =>
  res(AWS.taskDefinition, "task", {
    containerDefinitions: JSON.stringify([
      { name: "app", environment, logConfiguration: { options: { "awslogs-group": "/g" } } },
    ]),
  });
const publicLb = res(AWS.loadBalancer, "lb", { arn: "arn:lb", internal: false });
const listener = (props: object) => res(AWS.listener, "http", { loadBalancerArn: "arn:lb", ...props });

const pg = (spec: object = {}, protect = true): CheckedResource => ({
  ...res(K8S.postgres, "pg", {
    spec: {
      postgresql: {
        parameters: { log_connections: "on", log_disconnections: "on" },
        pg_hba: ["hostssl all all all scram-sha-256"],
      },
      ...spec,
    },
  }),
  protect,
});
const deployment = (container: object = {}, image = "ghcr.io/acme/taskflow:1.2.3") =>
  res(K8S.deployment, "web", {
    metadata: { name: "web" },
    spec: {
      template: {
        spec: {
          containers: [
            {
              image,
              livenessProbe: { httpGet: { path: "/health/live" } },
              readinessProbe: { httpGet: { path: "/health/ready" } },
              env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "db", key: "value" } } }],
              ...container,
            },
          ],
        },
      },
    },
  });
const hpa = (max: number) =>
  res(K8S.hpa, "web-hpa", { spec: { minReplicas: 1, maxReplicas: max, scaleTargetRef: { name: "web" } } });
const kafkaUser = (acls: object[]) => res(K8S.kafkaUser, "user", { spec: { authorization: { type: "simple", acls } } });
const consumerAcls = (dlq: string) => [
  { resource: { type: "topic", name: "t" }, operations: ["Read", "Describe"] },
  { resource: { type: "group", name: "t.sub" }, operations: ["Read"] },
  { resource: { type: "topic", name: dlq }, operations: ["Write", "Describe"] },
];

const rg = "/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/app-rg";
const armId = (path: string) => `${rg}/providers/${path}`;
const withId = (r: CheckedResource, id: string): CheckedResource => ({ ...r, id, state: { ...r.state, id } });
const SERVER_ID = armId("Microsoft.DBforPostgreSQL/flexibleServers/db");
const flexibleServer = (network: object = {}) =>
  withId(
    res(AZURE.postgres, "db", {
      name: "db",
      version: "16",
      network: {
        delegatedSubnetResourceId: armId("Microsoft.Network/virtualNetworks/vnet/subnets/postgres"),
        publicNetworkAccess: "Disabled",
        ...network,
      },
    }),
    SERVER_ID,
  );
const serverParameter = (name: string, value = "on") =>
  withId(
    res(AZURE.postgresParameter, `db-${name}`, { name, value, source: "user-override" }),
    `${SERVER_ID}/configurations/${name}`,
  );
const serverParameters = (...names: string[]) => names.map((n) => serverParameter(n));
const WORKSPACE_ID = armId("Microsoft.OperationalInsights/workspaces/logs");
const serverLogExport = (category = "PostgreSQLLogs") => [
  withId(res(AZURE.workspace, "logs", { retentionInDays: 30 }), WORKSPACE_ID),
  withId(
    res(AZURE.diagnosticSetting, "db-diagnostics", {
      workspaceId: WORKSPACE_ID,
      logs: [{ category, enabled: true }],
    }),
    `${SERVER_ID}/providers/Microsoft.Insights/diagnosticSettings/db`,
  ),
];
const serverLock = (level = "CanNotDelete") =>
  withId(
    res(AZURE.lock, "db-lock", { scope: SERVER_ID, level, lockName: "keep" }),
    `${SERVER_ID}/providers/Microsoft.Authorization/locks/keep`,
  );
const REDIS_ID = armId("Microsoft.Cache/redisEnterprise/cache");
const managedRedis = (props: object = {}) =>
  withId(res(AZURE.redis, "cache", { minimumTlsVersion: "1.2", publicNetworkAccess: "Disabled", ...props }), REDIS_ID);
const redisEndpoint = res(AZURE.privateEndpoint, "cache-endpoint", {
  privateLinkServiceConnections: [{ privateLinkServiceId: REDIS_ID, groupIds: ["redisEnterprise"] }],
});
const serviceBusSubscription = (props: object = {}) =>
  res(AZURE.subscription, "sub", {
    maxDeliveryCount: 5,
    deadLetteringOnMessageExpiration: true,
    lockDuration: "PT30S",
    ...props,
  });
const ENVIRONMENT_ID = armId("Microsoft.App/managedEnvironments/env");
const containerApp = (container: object = {}, app: object = {}) =>
  res(AZURE.containerApp, "web", {
    managedEnvironmentId: ENVIRONMENT_ID,
    configuration: {
      ingress: { external: true, allowInsecure: false },
      secrets: [{ name: "database-url", keyVaultUrl: "https://kv.vault.azure.net/secrets/db/1", identity: "id" }],
    },
    template: {
      containers: [
        {
          image: "taskflowacr.azurecr.io/taskflow:0123abc",
          env: [
            { name: "LOG_LEVEL", value: "info" },
            { name: "DATABASE_URL", secretRef: "database-url" },
          ],
          probes: [
            { type: "Liveness", httpGet: { path: "/health/live" } },
            { type: "Readiness", httpGet: { path: "/health/ready" } },
          ],
          ...container,
        },
      ],
      scale: { minReplicas: 1, maxReplicas: 5 },
    },
    ...app,
  });
const workspace = res(AZURE.workspace, "logs", {
  retentionInDays: 30,
  customerId: "c0ffee00-0000-4000-8000-000000000001",
});
const appEnvironment = (customerId = "c0ffee00-0000-4000-8000-000000000001") =>
  withId(
    res(AZURE.environment, "env", {
      appLogsConfiguration: { destination: "log-analytics", logAnalyticsConfiguration: { customerId } },
    }),
    ENVIRONMENT_ID,
  );
const roleAssignment = (scope: string, role = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0") =>
  res(AZURE.roleAssignment, "receive", {
    principalId: "p",
    roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${role}`,
    scope,
  });
const VNET_ID = armId("Microsoft.Network/virtualNetworks/vnet");
const vnetFlowLog = (props: object = {}) => [
  withId(res(AZURE.vnet, "vnet", {}), VNET_ID),
  res(AZURE.flowLog, "flow-log", {
    targetResourceId: VNET_ID,
    enabled: true,
    retentionPolicy: { enabled: true, days: 30 },
    ...props,
  }),
];

export const FIXTURES: Fixture[] = [
  {
    rule: "no-public-data-services",
    target: "aws",
    passing: [
      rds(),
      res(AWS.ingressRule, "in", { securityGroupId: "sg-db", cidrIpv4: "10.0.0.0/16", fromPort: 5432, toPort: 5432 }),
    ],
    failing: [
      rds(),
      res(AWS.ingressRule, "in", { securityGroupId: "sg-db", cidrIpv4: "0.0.0.0/0", fromPort: 5432, toPort: 5432 }),
    ],
    message: /opens Instance "db" to the internet/,
  },
  {
    rule: "no-public-data-services",
    target: "gcp",
    passing: [sql(), redisGcp()],
    failing: [sql({ ipConfiguration: { ipv4Enabled: true, sslMode: "ENCRYPTED_ONLY" } }), redisGcp()],
    message: /public IPv4/,
  },
  {
    rule: "encryption-at-rest",
    target: "aws",
    passing: [
      res(AWS.sns, "t", { kmsMasterKeyId: "alias/aws/sns" }),
      res(AWS.sqs, "q", { sqsManagedSseEnabled: true }),
    ],
    failing: [res(AWS.sns, "t", {}), res(AWS.sqs, "q", { sqsManagedSseEnabled: true })],
    message: /Topic "t" has no kmsMasterKeyId/,
  },
  {
    rule: "tls-in-transit",
    target: "aws",
    passing: [rds(), params(), publicLb, listener({ protocol: "HTTPS", port: 443 })],
    failing: [
      rds(),
      params(),
      publicLb,
      listener({ protocol: "HTTP", port: 80, defaultActions: [{ type: "forward" }] }),
    ],
    message: /plain HTTP/,
  },
  {
    rule: "tls-in-transit",
    target: "gcp",
    passing: [sql(), redisGcp()],
    failing: [sql(), redisGcp({ transitEncryptionMode: "DISABLED" })],
    message: /transitEncryptionMode DISABLED/,
  },
  {
    rule: "dead-letter-every-subscription",
    target: "aws",
    passing: queues(5),
    failing: queues(1000),
    message: /maxReceiveCount 1000/,
  },
  {
    rule: "dead-letter-every-subscription",
    target: "gcp",
    passing: pubsub({ deadLetterTopic: "projects/p/topics/t-dlq", maxDeliveryAttempts: 5 }),
    failing: pubsub({ deadLetterTopic: "projects/p/topics/t-dlq", maxDeliveryAttempts: 5 }, false),
    message: /no subscription, so dead letters are dropped/,
  },
  {
    rule: "service-probes-and-scaling",
    target: "aws",
    passing: ecs({ min: 1, max: 5 }),
    failing: ecs(undefined),
    message: /no autoscaling target/,
  },
  {
    rule: "service-probes-and-scaling",
    target: "gcp",
    passing: [run()],
    failing: [run({ livenessProbe: undefined })],
    message: /without a liveness probe/,
  },
  {
    rule: "least-privilege",
    target: "aws",
    passing: [
      res(AWS.rolePolicy, "p", { policy: doc({ Action: ["sns:Publish"], Resource: ["arn:aws:sns:eu-west-1:1:t"] }) }),
    ],
    failing: [
      res(AWS.rolePolicy, "p", { policy: doc({ Action: ["sqs:*"], Resource: ["arn:aws:sqs:eu-west-1:1:q"] }) }),
    ],
    message: /wildcard action "sqs:\*"/,
  },
  {
    rule: "least-privilege",
    target: "gcp",
    passing: [res(GCP.projectMember, "m", { role: "roles/pubsub.viewer", member: "serviceAccount:a" })],
    failing: [res(GCP.projectMember, "m", { role: "roles/pubsub.subscriber", member: "serviceAccount:a" })],
    message: /roles\/pubsub.subscriber on the whole project/,
  },
  {
    rule: "secrets-by-reference",
    target: "aws",
    passing: [task([{ name: "LOG_LEVEL", value: "info" }])],
    failing: [
      task([
        { name: "LOG_LEVEL", value: "info" },
        { name: "DATABASE_URL", value: "postgres://app:hunter2@db/app" },
      ]),
    ],
    message: /passes DATABASE_URL as a plain value/,
  },
  {
    rule: "secrets-by-reference",
    target: "gcp",
    passing: [run()],
    failing: [run({ envs: [{ name: "UPSTREAM", value: "redis://:s3cretvalue@10.0.0.4:6378" }] })],
    message: /passes a credential in UPSTREAM/,
  },
  {
    rule: "log-retention",
    target: "aws",
    passing: [res(AWS.logGroup, "g", { name: "/g", retentionInDays: 30 })],
    failing: [res(AWS.logGroup, "g", { name: "/g" })],
    message: /keeps logs forever/,
  },
  {
    rule: "log-retention",
    target: "gcp",
    passing: [
      res(GCP.logBucket, "b", { bucketId: "logs", retentionDays: 30 }),
      res(GCP.logSink, "s", { destination: "logging.googleapis.com/projects/p/locations/global/buckets/logs" }),
      run(),
    ],
    failing: [res(GCP.logBucket, "b", { bucketId: "logs", retentionDays: 30 }), run()],
    message: /no sink routes to one/,
  },
  {
    rule: "registry-immutable-scanned",
    target: "aws",
    passing: [res(AWS.ecr, "r", { imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } })],
    failing: [res(AWS.ecr, "r", { imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } })],
    message: /mutable tags/,
  },
  {
    rule: "registry-immutable-scanned",
    target: "gcp",
    passing: [res(GCP.registry, "r", { dockerConfig: { immutableTags: true } })],
    failing: [
      res(GCP.registry, "r", {
        dockerConfig: { immutableTags: true },
        vulnerabilityScanningConfig: { enablementConfig: "DISABLED" },
      }),
    ],
    message: /scanning off/,
  },
  {
    rule: "network-flow-logs",
    target: "aws",
    passing: [
      { ...res(AWS.vpc, "vpc", {}), id: "vpc-1" },
      res(AWS.flowLog, "fl", { vpcId: "vpc-1", trafficType: "ALL" }),
    ],
    failing: [
      { ...res(AWS.vpc, "vpc", {}), id: "vpc-1" },
      res(AWS.flowLog, "fl", { vpcId: "vpc-1", trafficType: "REJECT" }),
    ],
    message: /no flow log of all traffic/,
  },
  {
    rule: "network-flow-logs",
    target: "gcp",
    passing: [res(GCP.subnetwork, "s", { logConfig: { aggregationInterval: "INTERVAL_5_SEC" } })],
    failing: [res(GCP.subnetwork, "s", {})],
    message: /flow logs off/,
  },
  {
    rule: "database-connection-logging",
    target: "aws",
    passing: [rds(), params()],
    failing: [
      rds(),
      res(AWS.rdsParams, "params", {
        name: "db-params",
        parameters: [
          { name: "log_connections", value: "0" },
          { name: "log_disconnections", value: "1" },
        ],
      }),
    ],
    message: /does not log log_connections$/,
  },
  {
    rule: "database-connection-logging",
    target: "aws",
    passing: [rds(), params()],
    failing: [rds({ enabledCloudwatchLogsExports: ["upgrade"] }), params()],
    message: /does not export its PostgreSQL log to CloudWatch/,
  },
  {
    rule: "database-connection-logging",
    target: "gcp",
    passing: [sql()],
    failing: [sql({ databaseFlags: [] })],
    message: /log_connections or log_disconnections/,
  },
  {
    rule: "database-deletion-protection",
    target: "aws",
    passing: [rds()],
    failing: [rds({ deletionProtection: false })],
    message: /deletionProtection off/,
  },
  {
    rule: "database-deletion-protection",
    target: "gcp",
    passing: [sql()],
    failing: [sql({ deletionProtectionEnabled: false })],
    message: /deletionProtectionEnabled off/,
  },
  {
    rule: "no-public-data-services",
    target: "kubernetes",
    passing: [res(K8S.service, "redis", { spec: { type: "ClusterIP", ports: [{ port: 6379 }] } })],
    failing: [res(K8S.service, "redis", { spec: { type: "LoadBalancer", ports: [{ port: 6379 }] } })],
    message: /exposes a database or cache port as LoadBalancer/,
  },
  {
    rule: "tls-in-transit",
    target: "kubernetes",
    passing: [pg(), res(K8S.ingress, "in", { spec: { tls: [{ secretName: "tls" }] } })],
    failing: [pg({ postgresql: { pg_hba: ["host all all all scram-sha-256"] } })],
    message: /accepts connections without TLS/,
  },
  {
    rule: "dead-letter-every-subscription",
    target: "kubernetes",
    passing: [kafkaUser(consumerAcls("t.sub.dlq")), res(K8S.kafkaTopic, "dlq", { spec: { topicName: "t.sub.dlq" } })],
    failing: [kafkaUser(consumerAcls("t.sub.dlq"))],
    message: /which is no KafkaTopic of the stack/,
  },
  {
    rule: "service-probes-and-scaling",
    target: "kubernetes",
    passing: [deployment(), hpa(5)],
    failing: [deployment(), hpa(1000)],
    message: /scales 1-1000/,
  },
  {
    rule: "least-privilege",
    target: "kubernetes",
    passing: [kafkaUser(consumerAcls("t.sub.dlq"))],
    failing: [kafkaUser([{ resource: { type: "topic", name: "*" }, operations: ["Read"] }])],
    message: /ACL on every topic/,
  },
  {
    rule: "secrets-by-reference",
    target: "kubernetes",
    passing: [deployment()],
    failing: [deployment({ env: [{ name: "JWT_PRIVATE_KEY", value: "-----BEGIN PRIVATE KEY-----" }] })],
    message: /passes JWT_PRIVATE_KEY as a plain value/,
  },
  {
    rule: "registry-immutable-scanned",
    target: "kubernetes",
    passing: [deployment()],
    failing: [deployment({}, "ghcr.io/acme/taskflow:latest")],
    message: /a reference that moves/,
  },
  {
    rule: "database-connection-logging",
    target: "kubernetes",
    passing: [pg()],
    failing: [pg({ postgresql: { parameters: {}, pg_hba: ["hostssl all all all scram-sha-256"] } })],
    message: /does not log log_connections or log_disconnections/,
  },
  {
    rule: "database-deletion-protection",
    target: "kubernetes",
    passing: [pg()],
    failing: [pg({}, false)],
    message: /not protected/,
  },
  {
    rule: "no-public-data-services",
    target: "azure",
    passing: [flexibleServer(), managedRedis(), redisEndpoint],
    failing: [flexibleServer(), managedRedis()],
    message: /RedisEnterprise "cache" has no private endpoint in the stack/,
  },
  {
    rule: "no-public-data-services",
    target: "azure",
    passing: [flexibleServer(), managedRedis(), redisEndpoint],
    failing: [flexibleServer({ publicNetworkAccess: "Enabled" }), managedRedis(), redisEndpoint],
    message: /Server "db" has public network access/,
  },
  {
    rule: "tls-in-transit",
    target: "azure",
    passing: [flexibleServer(), serverParameter("require_secure_transport"), managedRedis(), redisEndpoint],
    failing: [flexibleServer(), serverParameter("require_secure_transport", "off"), managedRedis()],
    message: /Server "db" does not require TLS/,
  },
  {
    rule: "tls-in-transit",
    target: "azure",
    passing: [res(AZURE.serviceBus, "bus", { minimumTlsVersion: "1.2", disableLocalAuth: true }), containerApp()],
    failing: [res(AZURE.serviceBus, "bus", { minimumTlsVersion: "1.0", disableLocalAuth: true }), containerApp()],
    message: /Namespace "bus" accepts TLS below 1.2 \(minimumTlsVersion 1.0\)/,
  },
  {
    rule: "dead-letter-every-subscription",
    target: "azure",
    passing: [serviceBusSubscription()],
    failing: [serviceBusSubscription({ maxDeliveryCount: 2000 })],
    message: /Subscription "sub" has maxDeliveryCount 2000, not 1-20/,
  },
  {
    rule: "dead-letter-every-subscription",
    target: "azure",
    passing: [serviceBusSubscription()],
    failing: [serviceBusSubscription({ deadLetteringOnMessageExpiration: false })],
    message: /drops expired messages instead of dead-lettering them/,
  },
  {
    rule: "service-probes-and-scaling",
    target: "azure",
    passing: [containerApp()],
    failing: [containerApp({ probes: [{ type: "Liveness", httpGet: { path: "/health/live" } }] })],
    message: /ContainerApp "web" runs a container without a readiness probe/,
  },
  {
    rule: "service-probes-and-scaling",
    target: "azure",
    passing: [containerApp()],
    failing: [
      containerApp({}, { template: { containers: [{ probes: [{ type: "Liveness" }, { type: "Readiness" }] }] } }),
    ],
    message: /ContainerApp "web" scales 0-10, outside 1-100/,
  },
  {
    rule: "least-privilege",
    target: "azure",
    passing: [roleAssignment(armId("Microsoft.ServiceBus/namespaces/bus/topics/t/subscriptions/s"))],
    failing: [roleAssignment(rg)],
    message:
      /RoleAssignment "receive" grants role 4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0 on all of \/subscriptions\/[^ ]+\/resourceGroups\/app-rg, not one resource/,
  },
  {
    rule: "least-privilege",
    target: "azure",
    passing: [
      res(AZURE.roleDefinition, "reader", {
        permissions: [{ dataActions: ["Microsoft.ServiceBus/namespaces/messages/receive/action"] }],
      }),
    ],
    failing: [res(AZURE.roleDefinition, "reader", { permissions: [{ actions: ["Microsoft.ServiceBus/*"] }] })],
    message: /RoleDefinition "reader" allows the wildcard actions "Microsoft.ServiceBus\/\*"/,
  },
  {
    rule: "secrets-by-reference",
    target: "azure",
    passing: [containerApp()],
    failing: [
      containerApp(
        {},
        {
          configuration: {
            ingress: { external: true },
            secrets: [{ name: "database-url", value: "postgres://app:hunter2@db/app" }],
          },
        },
      ),
    ],
    message: /keeps secret "database-url" as a value, not a Key Vault reference/,
  },
  {
    rule: "secrets-by-reference",
    target: "azure",
    passing: [containerApp()],
    failing: [containerApp({ env: [{ name: "CACHE_URL", value: "rediss://:key@cache:10000" }] })],
    message: /passes CACHE_URL as a plain value/,
  },
  {
    rule: "log-retention",
    target: "azure",
    passing: [workspace, appEnvironment(), containerApp(), ...vnetFlowLog()],
    failing: [workspace, appEnvironment("another-workspace"), containerApp(), ...vnetFlowLog()],
    message: /ManagedEnvironment "env" sends its apps' logs to no Log Analytics workspace of the stack/,
  },
  {
    rule: "log-retention",
    target: "azure",
    passing: [workspace, appEnvironment(), ...vnetFlowLog()],
    failing: [workspace, appEnvironment(), ...vnetFlowLog({ retentionPolicy: { enabled: false, days: 0 } })],
    message: /FlowLog "flow-log" keeps flow logs forever/,
  },
  {
    rule: "registry-immutable-scanned",
    target: "azure",
    passing: [containerApp()],
    failing: [containerApp({ image: "taskflowacr.azurecr.io/taskflow:latest" })],
    message: /a reference that moves/,
  },
  {
    rule: "registry-immutable-scanned",
    target: "azure",
    passing: [containerApp()],
    failing: [containerApp({ image: "docker.io/acme/taskflow:1.2.3" })],
    message: /not in an Azure Container Registry/,
  },
  {
    rule: "network-flow-logs",
    target: "azure",
    passing: vnetFlowLog(),
    failing: vnetFlowLog({ enabled: false }),
    message: /VirtualNetwork "vnet" has no enabled VNet flow log/,
  },
  {
    rule: "database-connection-logging",
    target: "azure",
    passing: [flexibleServer(), ...serverParameters("log_connections", "log_disconnections"), ...serverLogExport()],
    failing: [flexibleServer(), serverParameter("log_connections"), ...serverLogExport()],
    message: /Server "db" does not log log_disconnections$/,
  },
  {
    rule: "database-connection-logging",
    target: "azure",
    passing: [flexibleServer(), ...serverParameters("log_connections", "log_disconnections"), ...serverLogExport()],
    failing: [
      flexibleServer(),
      ...serverParameters("log_connections", "log_disconnections"),
      ...serverLogExport("PostgreSQLFlexSessions"),
    ],
    message: /does not send its PostgreSQLLogs to a Log Analytics workspace of the stack/,
  },
  {
    rule: "database-deletion-protection",
    target: "azure",
    passing: [flexibleServer(), serverLock()],
    failing: [flexibleServer(), serverLock("NotSpecified")],
    message: /Server "db" has no CanNotDelete lock/,
  },
];
