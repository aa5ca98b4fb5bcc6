/**
 * The one declaration of the application (docs/design.md, one declaration). The Pulumi stacks provision a cloud
 * resource for each entry, the local runner starts a process and in-memory adapters for each,
 * and the gateway routes from it. Nothing here names a cloud.
 */

export const SERVICE_NAMES = ["gateway", "tasks", "users", "identity", "notifications"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const TOPIC_NAMES = ["task-events", "identity-events", "user-events"] as const;
export type TopicName = (typeof TOPIC_NAMES)[number];

export const SUBSCRIPTION_NAMES = [
  "tasks-activity",
  "notifications-task-events",
  "users-identity-events",
  "identity-user-events",
  "tasks-user-events",
  "gateway-identity-events",
] as const;
export type SubscriptionName = (typeof SUBSCRIPTION_NAMES)[number];

export interface ScalingDeclaration {
  readonly minInstances: number;
  readonly maxInstances: number;
  /** Average CPU utilisation the autoscaler aims for, in percent. */
  readonly cpuTargetPercent: number;
}

export interface ServiceDeclaration {
  readonly name: ServiceName;
  readonly port: number;
  /** Reachable from the internet. Only the gateway is. */
  readonly public: boolean;
  /** vCPU and memory of one instance. */
  readonly cpu: number;
  readonly memoryMb: number;
  readonly scaling: ScalingDeclaration;
  /** Probe paths: liveness restarts the instance, readiness takes it out of rotation. */
  readonly health: { readonly livenessPath: string; readonly readinessPath: string };
  /** Path prefixes under `/api` that the gateway forwards to this service. */
  readonly routes: readonly string[];
  readonly publishes: readonly TopicName[];
  readonly consumes: readonly SubscriptionName[];
  readonly database: boolean;
  readonly cache: boolean;
  /** Needs the private signing key for access tokens (identity only). */
  readonly signsTokens: boolean;
}

export interface TopicDeclaration {
  readonly name: TopicName;
  /** Messages carry an ordering key (the aggregate id) and consumers that ask keep its order. */
  readonly ordered: boolean;
}

export interface SubscriptionDeclaration {
  readonly name: SubscriptionName;
  readonly topic: TopicName;
  readonly service: ServiceName;
  /** Deliveries before a message goes to this subscription's dead-letter queue. */
  readonly maxAttempts: number;
  readonly ordered: boolean;
  /** Lock or visibility time of one delivery. */
  readonly lockMs: number;
}

export interface DatabaseDeclaration {
  readonly name: string;
  readonly engineVersion: string;
  readonly storageGb: number;
  readonly backupRetentionDays: number;
}

export interface CacheDeclaration {
  readonly memoryMb: number;
  readonly engineVersion: string;
}

export interface PlatformDeclaration {
  readonly name: string;
  readonly services: readonly ServiceDeclaration[];
  readonly topics: readonly TopicDeclaration[];
  readonly subscriptions: readonly SubscriptionDeclaration[];
  readonly database: DatabaseDeclaration;
  readonly cache: CacheDeclaration;
}

const health = { livenessPath: "/health/live", readinessPath: "/health/ready" } as const;
const small = { cpu: 0.25, memoryMb: 512 } as const;

export const platform = {
  name: "taskflow",
  services: [
    {
      name: "gateway",
      port: 7000,
      public: true,
      ...small,
      scaling: { minInstances: 1, maxInstances: 10, cpuTargetPercent: 60 },
      health,
      routes: [],
      publishes: [],
      consumes: ["gateway-identity-events"],
      database: false,
      cache: true,
      signsTokens: false,
    },
    {
      name: "tasks",
      port: 7001,
      public: false,
      ...small,
      scaling: { minInstances: 1, maxInstances: 10, cpuTargetPercent: 70 },
      health,
      routes: ["/boards", "/cards", "/tasks", "/comments", "/activities"],
      publishes: ["task-events"],
      consumes: ["tasks-activity", "tasks-user-events"],
      database: true,
      cache: true,
      signsTokens: false,
    },
    {
      name: "users",
      port: 7002,
      public: false,
      ...small,
      scaling: { minInstances: 1, maxInstances: 5, cpuTargetPercent: 70 },
      health,
      routes: ["/users", "/organizations", "/projects"],
      publishes: ["user-events"],
      consumes: ["users-identity-events"],
      database: true,
      cache: true,
      signsTokens: false,
    },
    {
      name: "identity",
      port: 7003,
      public: false,
      ...small,
      scaling: { minInstances: 1, maxInstances: 5, cpuTargetPercent: 70 },
      health,
      routes: ["/auth", "/api-keys", "/.well-known"],
      publishes: ["identity-events"],
      consumes: ["identity-user-events"],
      database: true,
      cache: true,
      signsTokens: true,
    },
    {
      name: "notifications",
      port: 7004,
      public: false,
      ...small,
      scaling: { minInstances: 1, maxInstances: 5, cpuTargetPercent: 70 },
      health,
      routes: ["/notifications"],
      publishes: [],
      consumes: ["notifications-task-events"],
      database: true,
      cache: false,
      signsTokens: false,
    },
  ],
  topics: [
    { name: "task-events", ordered: true },
    { name: "identity-events", ordered: true },
    { name: "user-events", ordered: true },
  ],
  subscriptions: [
    { name: "tasks-activity", topic: "task-events", service: "tasks", maxAttempts: 5, ordered: true, lockMs: 30_000 },
    {
      name: "notifications-task-events",
      topic: "task-events",
      service: "notifications",
      maxAttempts: 5,
      ordered: false,
      lockMs: 30_000,
    },
    {
      name: "users-identity-events",
      topic: "identity-events",
      service: "users",
      maxAttempts: 5,
      ordered: true,
      lockMs: 30_000,
    },
    {
      name: "identity-user-events",
      topic: "user-events",
      service: "identity",
      maxAttempts: 5,
      ordered: true,
      lockMs: 30_000,
    },
    {
      name: "gateway-identity-events",
      topic: "identity-events",
      service: "gateway",
      maxAttempts: 5,
      ordered: false,
      lockMs: 30_000,
    },
    {
      name: "tasks-user-events",
      topic: "user-events",
      service: "tasks",
      maxAttempts: 5,
      ordered: true,
      lockMs: 30_000,
    },
  ],
  database: { name: "taskflow", engineVersion: "16", storageGb: 20, backupRetentionDays: 7 },
  cache: { memoryMb: 1024, engineVersion: "7" },
} as const satisfies PlatformDeclaration;

export function serviceByName(name: ServiceName): ServiceDeclaration {
  const service = platform.services.find((s) => s.name === name);
  if (!service) throw new Error(`[taskflow] [platform] no service named "${name}"`);
  return service;
}

export function subscriptionByName(name: SubscriptionName): SubscriptionDeclaration {
  const subscription = platform.subscriptions.find((s) => s.name === name);
  if (!subscription) throw new Error(`[taskflow] [platform] no subscription named "${name}"`);
  return subscription;
}
