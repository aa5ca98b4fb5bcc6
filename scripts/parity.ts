/**
 * Writes docs/parity.md: builds the AWS, Azure and GCP stacks under Pulumi mocks, reads each resource
 * graph back into cloud-neutral capabilities, and tabulates them beside what
 * services/platform.ts declares. Exits non-zero when the clouds differ.
 *
 *   npm run docs:parity
 */
import { writeFile } from "node:fs/promises";
import { Graph } from "../components/testing/graph.js";
import { platform } from "../services/platform.js";
import { capabilityRows, expectedCapabilities } from "../stacks/testing/capabilities.js";
import { readStack } from "../stacks/testing/read-stack.js";
import { runStack, type StackRun } from "../stacks/testing/run-stack.js";

const OUTPUT = new URL("../docs/parity.md", import.meta.url);

const CLOUDS = ["aws", "azure", "gcp", "kubernetes"] as const;
const TITLES = { aws: "AWS", azure: "Azure", gcp: "GCP", kubernetes: "Kubernetes" } as const;

const REALISATION: readonly [string, string, string, string, string][] = [
  [
    "compute",
    "ECS Fargate service, one task definition per service",
    "Container App in a VNet environment",
    "Cloud Run v2 service",
    "Deployment + ServiceAccount (no token mounted), Pod Security restricted",
  ],
  [
    "ingress",
    "gateway: rule on the internet-facing ALB; others: a port on the internal ALB",
    "gateway: external ingress; others: internal ingress (environment only); HTTPS only",
    "gateway: ingress ALL + allUsers invoker; others: ingress INTERNAL_ONLY",
    "gateway: Ingress (class, host, TLS) + policy admitting the ingress controller namespace; others: ClusterIP + policy admitting the gateway",
  ],
  [
    "scaling",
    "Application Auto Scaling target + CPU target-tracking policy",
    "template.scale min/max replicas + a `cpu` Utilization scale rule",
    "template.scaling min/max + cpuUtilization",
    "HorizontalPodAutoscaler autoscaling/v2, CPU Utilization target; PodDisruptionBudget",
  ],
  [
    "health checks",
    "readiness: ALB target group health check; liveness: container health check",
    "Startup, Readiness and Liveness HTTP probes",
    "readiness: startup probe; liveness: liveness probe",
    "startup and readiness probes on the readiness path, liveness probe on the liveness path",
  ],
  [
    "database / cache access",
    "secret reference + execution role may read it + task in private subnets",
    "Key Vault reference + Key Vault Secrets User on that secret + environment on the VNet",
    "secret reference + secretAccessor on it + Direct VPC egress",
    "secretKeyRef to the stack's Secret + NetworkPolicy egress to the data pods, admitted by their access-label policy",
  ],
  [
    "publishes",
    "task role: sns:Publish on the topic ARN",
    "user-assigned identity: Azure Service Bus Data Sender on the topic",
    "service account: roles/pubsub.publisher on the topic",
    "KafkaUser ACL Write on the topic (RabbitMQ: Permission write on the exchange)",
  ],
  [
    "consumes",
    "task role: sqs:ReceiveMessage and friends on the queue ARN",
    "user-assigned identity: Azure Service Bus Data Receiver on the subscription",
    "service account: roles/pubsub.subscriber on the subscription",
    "KafkaUser ACL Read on the topic and the consumer group (RabbitMQ: Permission read on the queue)",
  ],
  [
    "may dead-letter",
    "task role: sqs:SendMessage on the subscription's DLQ",
    "the subscription's own `$DeadLetterQueue`, covered by the receiver role on the subscription",
    "service account: roles/pubsub.publisher on the dead-letter topic",
    "KafkaUser ACL Write on the subscription's `.dlq` topic (RabbitMQ: write on the queue's `.dlx` exchange)",
  ],
  [
    "may list topics (broker health check)",
    "sns:ListTopics (no per-topic scope exists)",
    "none needed: the adapter's check opens a link to one of its own entities",
    "roles/pubsub.viewer on the project (no per-topic scope exists)",
    "the KafkaUser lists the topics it may Describe; RabbitMQ needs none",
  ],
  [
    "secret references",
    "ECS `secrets` valueFrom a Secrets Manager ARN",
    "Container Apps secret with `keyVaultUrl` (versioned) and the app's identity",
    "Cloud Run `valueSource.secretKeyRef` with a pinned version",
    "`valueFrom.secretKeyRef` {name, key} of a Secret in the namespace",
  ],
  [
    "subscription DLQ",
    "SQS queue + DLQ, redrive maxReceiveCount",
    "subscription maxDeliveryCount + dead-lettering on expiry into its `$DeadLetterQueue`",
    "subscription deadLetterPolicy + dead-letter topic with its own subscription + service agent roles",
    "KafkaTopic `<group>.dlq` per subscription, attempts counted by the adapter (RabbitMQ: quorum queue with x-dead-letter-exchange + x-delivery-limit, DLX bound to a DLQ)",
  ],
  [
    "database",
    "RDS PostgreSQL: not publicly accessible, private subnets, rds.force_ssl, storage encrypted, backups",
    "Flexible Server: public access Disabled, delegated subnet + linked private DNS zone, require_secure_transport, always encrypted, backups",
    "Cloud SQL: ipv4Enabled false, private network, ENCRYPTED_ONLY, always encrypted, backups + PITR",
    "CloudNativePG Cluster: ClusterIP Services, hostssl-only pg_hba, server TLS from the stack's CA, Barman backups to taskflow:backupBucket",
  ],
  [
    "cache",
    "ElastiCache replication group: private subnets, transit + at-rest encryption, auth token",
    "Azure Managed Redis: public access Disabled, private endpoint + linked DNS zone, Encrypted protocol with TLS 1.2, access key, always encrypted",
    "Memorystore: private services access, SERVER_AUTHENTICATION TLS, AUTH, always encrypted",
    "Redis StatefulSet + PVC: plain port off, TLS port with the stack's CA, requirepass from a Secret, ClusterIP + access-label policy",
  ],
];

const DIFFERENCES = [
  "Kubernetes service-to-service calls go to ClusterIP Services over plain HTTP inside the namespace, as on AWS's internal load balancer; NetworkPolicies (default deny, then exactly the declared paths) decide who may connect, and each service's ServiceAccount mounts no API token. Data services use TLS from the stack's own CA, handed to the services as DATABASE_TLS_CA (sslmode=verify-full) and CACHE_TLS_CA.",
  "Kubernetes broker identity: each service logs in to Kafka (SCRAM-SHA-512) or RabbitMQ as its own user, whose password is a Secret (KAFKA_SASL_PASSWORD, written by Strimzi's User Operator; RABBITMQ_URL, generated by the stack); on the clouds the service's IAM identity plays that part.",
  "Ordering: SNS FIFO topics deliver only to FIFO queues, so on AWS every subscription of an ordered topic keeps per-key order, including `notifications-task-events`, which does not ask for it. On GCP only the subscriptions that declare ordering enable it. Both meet the declaration.",
  "Public entry point: Cloud Run serves run.app over HTTPS. The AWS load balancer has no certificate for its own DNS name, so it serves HTTP on port 80 until `taskflow:domain` and `taskflow:certificateArn` are set; then HTTPS on 443 with HTTP redirected.",
  "Service-to-service calls: on GCP they go to the callee's run.app address over HTTPS; on AWS they cross the internal load balancer over HTTP inside the VPC (an internal HTTPS listener needs a private certificate authority, which the stack does not create).",
  "Encryption at rest: Cloud SQL, Memorystore and Pub/Sub always encrypt and have no setting; on AWS it is set explicitly (RDS storageEncrypted, ElastiCache atRestEncryptionEnabled, SQS managed SSE). SNS topics are not KMS-encrypted: they hold messages only in flight, and a KMS key would add kms permissions to every publisher's role.",
  "Database TLS: both servers require TLS, and services verify the server's certificate. Neither the RDS nor the Cloud SQL server CA is in Node's default trust store, so the stack injects it as `DATABASE_TLS_CA`: Cloud SQL's instance CA with `sslmode=verify-ca` (its certificate names the instance, not the private IP), the region's RDS root CAs with `sslmode=verify-full` (RDS certificates name the endpoint; the instance uses `rds-ca-rsa2048-g1`).",
  "Memorystore TLS uses a per-instance CA (the instance's `serverCaCerts`); a Redis client that verifies certificates needs that CA, which the env contract does not carry yet. ElastiCache certificates chain to a public root.",
  "CPU target: ECS target tracking takes it directly; Cloud Run's `scaling.cpuUtilization` is a beta field, so Cloud Run services are created with launch stage BETA.",
  "Sizes: Fargate runs 0.25 vCPU / 512 MiB as declared; Cloud Run rounds up to 1 vCPU so an instance can serve concurrent requests; Container Apps runs 0.25 vCPU / 0.5 GiB, its smallest pair.",
  "Azure ordering: only the subscriptions that declare ordering require sessions (the adapter sends the key as the session id); duplicate detection (10 minutes) is on for every topic, as the adapter sets it when it creates topics itself.",
  "Azure database TLS: Flexible Server certificates name the server's host and chain to DigiCert Global Root G2 or Microsoft RSA Root CA 2017, which are public roots; the stack still hands exactly those two as `DATABASE_TLS_CA` with `sslmode=verify-full`, so no other public CA is accepted for the database.",
  "Azure cache: Azure Managed Redis listens on port 10000 with the Enterprise clustering policy (one endpoint, multi-key reads split per slot by the adapter); its certificate chains to a public root, so no CA is injected. The access key, not an Entra ID token, authenticates: the key lives only inside the CACHE_URL Key Vault secret.",
  "Azure dead letters have no retention setting: a message stays in `$DeadLetterQueue` until it is received, so `deadLetterRetentionDays` does not apply there.",
  "Azure flow logs: a VNet flow log (Network Watcher) records every flow of the VNet into a storage account in the stack's resource group. The flow log itself lives beside the subscription's Network Watcher for the location (NetworkWatcher_<location> in NetworkWatcherRG, which Azure creates with the first VNet), not in the stack's resource group.",
  "Azure database logs: the server's PostgreSQLLogs, connection and disconnection lines included, go to the Log Analytics workspace through a diagnostic setting, kept as long as the apps' logs, as RDS exports its log to CloudWatch.",
  "Azure broker network: Service Bus Standard has no private endpoint (Premium does); like SNS/SQS and Pub/Sub it is reached on its public endpoint with TLS and Entra ID, and local (SAS) keys are disabled.",
];

/** Gaps: what the other clouds have and Azure does not yet, each with its plan. */
const GAPS = [
  "Azure registry retention: `keepImages` is not enforced (ACR Basic has no retention policy for tagged images). Plan: an ACR task running `acr purge --keep <keepImages>` on a schedule, created with `containerregistry.Task`.",
];

/** A Markdown table with padded columns, laid out as the repository's formatter writes it. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const escaped = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = header.map((_, i) => Math.max(3, ...escaped.map((row) => (row[i] ?? "").length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] as number)).join(" | ")} |`;
  const [head, ...body] = escaped;
  return [line(head as string[]), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
}

async function main(): Promise<void> {
  const expected = new Map(capabilityRows(expectedCapabilities(platform)));
  const runs: {
    cloud: (typeof CLOUDS)[number];
    run: StackRun;
    rows: Map<string, string>;
    gaps: Readonly<Record<string, string>>;
  }[] = [];
  for (const cloud of CLOUDS) {
    const run = await runStack(cloud);
    const reading = readStack(run, platform);
    runs.push({ cloud, run, rows: new Map(capabilityRows(reading.capabilities)), gaps: reading.gaps ?? {} });
  }

  const subjects = [...new Set([...expected.keys(), ...runs.flatMap((r) => [...r.rows.keys()])])];
  // A row a target lists as a gap (with its reason, shown below) is not a mismatch.
  const mismatches = subjects.filter((s) =>
    runs.some((r) => r.rows.get(s) !== expected.get(s) && !Object.hasOwn(r.gaps, s)),
  );
  const listedGaps = runs.flatMap((r) =>
    Object.entries(r.gaps).map(
      ([subject, reason]) => `${TITLES[r.cloud]}, ${subject} (${r.rows.get(subject)}): ${reason}`,
    ),
  );
  const titles = runs.map((r) => TITLES[r.cloud]);
  const lines = [
    "# Parity: AWS, Azure, GCP and Kubernetes",
    "",
    "Generated by `npm run docs:parity` (scripts/parity.ts); do not edit by hand.",
    "",
    "Each cloud's stack is built under Pulumi mocks from the same `services/platform.ts`. The",
    "resources it registers are read back into cloud-neutral capabilities (components/testing/",
    "aws-graph.ts, azure-graph.ts, gcp-graph.ts, kubernetes-graph.ts): a capability is reported only if the resources",
    'provide it, for example a service "publishes" a topic only if its IAM policy, role binding or',
    "role assignment names that topic. `stacks/parity.test.ts` fails when any cloud differs from the declaration.",
    "",
    `Result: ${mismatches.length === 0 ? `**equal** (${subjects.length} capabilities, all as declared on all four targets, apart from the ${listedGaps.length} listed gaps)` : `**${mismatches.length} differences**: ${mismatches.join("; ")}`}`,
    "",
    ...table(
      ["resources under mocks", ...titles],
      [
        ["custom resources", ...runs.map((r) => String(r.run.resources.length))],
        [
          "distinct resource types",
          ...runs.map((r) => String(Object.keys(new Graph(r.run.resources).countsByType()).length)),
        ],
      ],
    ),
    "",
    "## Capabilities",
    "",
    ...table(
      ["capability", "platform.ts", ...titles],
      subjects.map((s) => [s, ...[expected, ...runs.map((r) => r.rows)].map((rows) => rows.get(s) ?? "missing")]),
    ),
    "",
    "## How each capability is provided",
    "",
    ...table(["capability", ...titles], REALISATION),
    "",
    "## Differences that do not change a capability",
    "",
    ...DIFFERENCES.map((d) => `- ${d}`),
    "",
    "## Gaps, each with its plan",
    "",
    ...GAPS.map((d) => `- ${d}`),
    "",
    "## Capabilities a target reads differently (listed gaps, compared apart)",
    "",
    ...listedGaps.map((d) => `- ${d}`),
    "",
    "## What this does not prove",
    "",
    "Mocks check the resource graph and its arguments against the provider types; they do not",
    "call a cloud API. Quotas, region availability of a size, IAM propagation delays, and whether",
    "the image starts and passes its probes are verified only by a real `pulumi up` (see the deploy section of README.md).",
    "",
  ];
  await writeFile(OUTPUT, lines.join("\n"));
  console.log(`wrote docs/parity.md: ${subjects.length} capabilities, ${mismatches.length} differences`);
  if (mismatches.length > 0) process.exitCode = 1;
}

await main();
