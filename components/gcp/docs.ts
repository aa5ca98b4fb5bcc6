import type { TargetDocs } from "../api/platform.js";

/** What GCP contributes to docs/architecture.md and docs/parity.md. */
export const GCP_DOCS: TargetDocs = {
  architecture: {
    compute: "Cloud Run v2",
    database: "Cloud SQL PostgreSQL",
    cache: "Memorystore Redis",
    broker: "Pub/Sub topics and subscriptions",
  },
  realisation: {
    compute: "Cloud Run v2 service",
    ingress: "gateway: ingress ALL + allUsers invoker; others: ingress INTERNAL_ONLY",
    scaling: "template.scaling min/max + cpuUtilization",
    "health checks": "readiness: startup probe; liveness: liveness probe",
    "database / cache access": "secret reference + secretAccessor on it + Direct VPC egress",
    publishes: "service account: roles/pubsub.publisher on the topic",
    consumes: "service account: roles/pubsub.subscriber on the subscription",
    "may dead-letter": "service account: roles/pubsub.publisher on the dead-letter topic",
    "may list topics (broker health check)": "roles/pubsub.viewer on the project (no per-topic scope exists)",
    "secret references": "Cloud Run `valueSource.secretKeyRef` with a pinned version",
    "subscription DLQ":
      "subscription deadLetterPolicy + dead-letter topic with its own subscription + service agent roles",
    database: "Cloud SQL: ipv4Enabled false, private network, ENCRYPTED_ONLY, always encrypted, backups + PITR",
    cache: "Memorystore: private services access, SERVER_AUTHENTICATION TLS, AUTH, always encrypted",
  },
  differences: [
    "Service-to-service calls: on GCP they go to the callee's run.app address over HTTPS; on AWS they cross the internal load balancer over HTTP inside the VPC (an internal HTTPS listener needs a private certificate authority, which the stack does not create).",
    "Encryption at rest: Cloud SQL, Memorystore and Pub/Sub always encrypt and have no setting; on AWS it is set explicitly (RDS storageEncrypted, ElastiCache atRestEncryptionEnabled, SQS managed SSE). SNS topics are not KMS-encrypted: they hold messages only in flight, and a KMS key would add kms permissions to every publisher's role.",
    "Memorystore TLS uses a per-instance CA (the instance's `serverCaCerts`); a Redis client that verifies certificates needs that CA, which the env contract does not carry yet. ElastiCache certificates chain to a public root.",
    "CPU target: ECS target tracking takes it directly; Cloud Run's `scaling.cpuUtilization` is a beta field, so Cloud Run services are created with launch stage BETA.",
  ],
  gaps: [],
};
