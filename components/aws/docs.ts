import type { TargetDocs } from "../api/platform.js";

/** What AWS contributes to docs/architecture.md and docs/parity.md. */
export const AWS_DOCS: TargetDocs = {
  architecture: {
    compute: "ECS Fargate behind an ALB",
    database: "RDS PostgreSQL",
    cache: "ElastiCache Redis",
    broker: "SNS topic to an SQS queue per subscription",
  },
  realisation: {
    compute: "ECS Fargate service, one task definition per service",
    ingress: "gateway: rule on the internet-facing ALB; others: a port on the internal ALB",
    scaling: "Application Auto Scaling target + CPU target-tracking policy",
    "health checks": "readiness: ALB target group health check; liveness: container health check",
    "database / cache access": "secret reference + execution role may read it + task in private subnets",
    publishes: "task role: sns:Publish on the topic ARN",
    consumes: "task role: sqs:ReceiveMessage and friends on the queue ARN",
    "may dead-letter": "task role: sqs:SendMessage on the subscription's DLQ",
    "may list topics (broker health check)": "sns:ListTopics (no per-topic scope exists)",
    "secret references": "ECS `secrets` valueFrom a Secrets Manager ARN",
    "subscription DLQ": "SQS queue + DLQ, redrive maxReceiveCount",
    database: "RDS PostgreSQL: not publicly accessible, private subnets, rds.force_ssl, storage encrypted, backups",
    cache: "ElastiCache replication group: private subnets, transit + at-rest encryption, auth token",
  },
  differences: [
    "Ordering: SNS FIFO topics deliver only to FIFO queues, so on AWS every subscription of an ordered topic keeps per-key order, including `notifications-task-events`, which does not ask for it. On GCP only the subscriptions that declare ordering enable it. Both meet the declaration.",
    "Public entry point: Cloud Run serves run.app over HTTPS. The AWS load balancer serves HTTPS on 443, with HTTP on 80 only redirecting to it, once `taskflow:domain` and `taskflow:certificateArn` are set. Its own DNS name has no certificate, so without them the stack refuses to build unless `taskflow:allowPlainHttp` is `true`, and then serves plain HTTP on port 80 with a warning.",
    "Database TLS: both servers require TLS, and services verify the server's certificate. Neither the RDS nor the Cloud SQL server CA is in Node's default trust store, so the stack injects it as `DATABASE_TLS_CA`: Cloud SQL's instance CA with `sslmode=verify-ca` (its certificate names the instance, not the private IP), the region's RDS root CAs with `sslmode=verify-full` (RDS certificates name the endpoint; the instance uses `rds-ca-rsa2048-g1`).",
    "Sizes: Fargate runs 0.25 vCPU / 512 MiB as declared; Cloud Run rounds up to 1 vCPU so an instance can serve concurrent requests; Container Apps runs 0.25 vCPU / 0.5 GiB, its smallest pair.",
  ],
  gaps: [],
};
