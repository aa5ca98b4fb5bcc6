/**
 * Defaults shared by every cloud. A cloud folder may add its own (instance classes, tiers),
 * but a value that means the same thing everywhere is written once, here.
 */
export const DEFAULTS = {
  /** The VPC range; each cloud carves its subnets from it. */
  networkCidr: "10.0.0.0/16",
  /** Zones the network spans (AWS subnets, one NAT each when `highAvailabilityNat`). */
  zoneCount: 2,
  /** One NAT gateway for the whole network; set true for one per zone. */
  highAvailabilityNat: false,
  /** Refuse to delete the database until this is turned off. */
  deletionProtection: true,
  /** Days CloudWatch / Cloud Logging keep service logs. */
  logRetentionDays: 30,
  /** Images the registry keeps; older ones are deleted by a lifecycle rule. */
  keepImages: 20,
  /** Days a dead-lettered message is kept for inspection and redrive (SQS allows at most 14). */
  deadLetterRetentionDays: 14,
  /** Days an undelivered message stays on a subscription. */
  messageRetentionDays: 7,
  /** Retry backoff between deliveries of a nacked message. */
  retryBackoff: { minSeconds: 10, maxSeconds: 600 },
  /** Concurrent requests one instance serves before the platform adds instances. */
  requestConcurrency: 80,
  /** Seconds a new instance may take to pass its readiness check before it counts as failed. */
  startupGraceSeconds: 60,
  /** Cache replicas beside the primary, in another zone, for failover. */
  cacheReplicas: 1,
  /** Log level injected as LOG_LEVEL. */
  logLevel: "info",
  /** Port the public entry point listens on without a certificate (HTTP) and with one (HTTPS). */
  publicPorts: { http: 80, https: 443 },
  /** Database port; both clouds run PostgreSQL on the standard port. */
  databasePort: 5432,
  /** Redis port with TLS (ElastiCache keeps 6379; Memorystore picks its own and reports it). */
  cachePort: 6379,
} as const;
