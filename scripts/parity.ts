/**
 * Writes docs/parity.md: builds the AWS and GCP stacks under Pulumi mocks, reads each resource
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
import { runStack } from "../stacks/testing/run-stack.js";

const OUTPUT = new URL("../docs/parity.md", import.meta.url);

const REALISATION: readonly [string, string, string][] = [
  ["compute", "ECS Fargate service, one task definition per service", "Cloud Run v2 service"],
  [
    "ingress",
    "gateway: rule on the internet-facing ALB; others: a port on the internal ALB",
    "gateway: ingress ALL + allUsers invoker; others: ingress INTERNAL_ONLY",
  ],
  [
    "scaling",
    "Application Auto Scaling target + CPU target-tracking policy",
    "template.scaling min/max + cpuUtilization",
  ],
  [
    "health checks",
    "readiness: ALB target group health check; liveness: container health check",
    "readiness: startup probe; liveness: liveness probe",
  ],
  [
    "database / cache access",
    "secret reference + execution role may read it + task in private subnets",
    "secret reference + secretAccessor on it + Direct VPC egress",
  ],
  ["publishes", "task role: sns:Publish on the topic ARN", "service account: roles/pubsub.publisher on the topic"],
  [
    "consumes",
    "task role: sqs:ReceiveMessage and friends on the queue ARN",
    "service account: roles/pubsub.subscriber on the subscription",
  ],
  [
    "may dead-letter",
    "task role: sqs:SendMessage on the subscription's DLQ",
    "service account: roles/pubsub.publisher on the dead-letter topic",
  ],
  [
    "secret references",
    "ECS `secrets` valueFrom a Secrets Manager ARN",
    "Cloud Run `valueSource.secretKeyRef` with a pinned version",
  ],
  [
    "subscription DLQ",
    "SQS queue + DLQ, redrive maxReceiveCount",
    "subscription deadLetterPolicy + dead-letter topic with its own subscription + service agent roles",
  ],
  [
    "database",
    "RDS PostgreSQL: not publicly accessible, private subnets, rds.force_ssl, storage encrypted, backups",
    "Cloud SQL: ipv4Enabled false, private network, ENCRYPTED_ONLY, always encrypted, backups + PITR",
  ],
  [
    "cache",
    "ElastiCache replication group: private subnets, transit + at-rest encryption, auth token",
    "Memorystore: private services access, SERVER_AUTHENTICATION TLS, AUTH, always encrypted",
  ],
];

const DIFFERENCES = [
  "Ordering: SNS FIFO topics deliver only to FIFO queues, so on AWS every subscription of an ordered topic keeps per-key order, including `notifications-task-events`, which does not ask for it. On GCP only the subscriptions that declare ordering enable it. Both meet the declaration.",
  "Public entry point: Cloud Run serves run.app over HTTPS. The AWS load balancer has no certificate for its own DNS name, so it serves HTTP on port 80 until `taskflow:domain` and `taskflow:certificateArn` are set; then HTTPS on 443 with HTTP redirected.",
  "Service-to-service calls: on GCP they go to the callee's run.app address over HTTPS; on AWS they cross the internal load balancer over HTTP inside the VPC (an internal HTTPS listener needs a private certificate authority, which the stack does not create).",
  "Encryption at rest: Cloud SQL, Memorystore and Pub/Sub always encrypt and have no setting; on AWS it is set explicitly (RDS storageEncrypted, ElastiCache atRestEncryptionEnabled, SQS managed SSE). SNS topics are not KMS-encrypted: they hold messages only in flight, and a KMS key would add kms permissions to every publisher's role.",
  "Database TLS: both servers require TLS, and services verify the server's certificate. Neither the RDS nor the Cloud SQL server CA is in Node's default trust store, so the stack injects it as `DATABASE_TLS_CA`: Cloud SQL's instance CA with `sslmode=verify-ca` (its certificate names the instance, not the private IP), the region's RDS root CAs with `sslmode=verify-full` (RDS certificates name the endpoint; the instance uses `rds-ca-rsa2048-g1`).",
  "Memorystore TLS uses a per-instance CA (the instance's `serverCaCerts`); a Redis client that verifies certificates needs that CA, which the env contract does not carry yet. ElastiCache certificates chain to a public root.",
  "CPU target: ECS target tracking takes it directly; Cloud Run's `scaling.cpuUtilization` is a beta field, so Cloud Run services are created with launch stage BETA.",
  "Sizes: Fargate runs 0.25 vCPU / 512 MiB as declared; Cloud Run rounds up to 1 vCPU so an instance can serve concurrent requests.",
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
  const aws = await runStack("aws");
  const awsRows = new Map(capabilityRows(readStack(aws, platform).capabilities));
  const gcp = await runStack("gcp");
  const gcpRows = new Map(capabilityRows(readStack(gcp, platform).capabilities));

  const subjects = [...new Set([...expected.keys(), ...awsRows.keys(), ...gcpRows.keys()])];
  const mismatches = subjects.filter((s) => awsRows.get(s) !== expected.get(s) || gcpRows.get(s) !== expected.get(s));
  const lines = [
    "# Parity: AWS and GCP",
    "",
    "Generated by `npm run docs:parity` (scripts/parity.ts); do not edit by hand.",
    "",
    "Each cloud's stack is built under Pulumi mocks from the same `services/platform.ts`. The",
    "resources it registers are read back into cloud-neutral capabilities (components/testing/",
    "aws-graph.ts, gcp-graph.ts): a capability is reported only if the resources provide it, for",
    'example a service "publishes" a topic only if its IAM policy or role binding names that topic.',
    "`stacks/parity.test.ts` fails when the two sets differ from each other or from the declaration.",
    "",
    `Result: ${mismatches.length === 0 ? `**equal** (${subjects.length} capabilities, all as declared on both clouds)` : `**${mismatches.length} differences**: ${mismatches.join("; ")}`}`,
    "",
    ...table(
      ["resources under mocks", "AWS", "GCP"],
      [
        ["custom resources", String(aws.resources.length), String(gcp.resources.length)],
        [
          "distinct resource types",
          ...[aws, gcp].map((r) => String(Object.keys(new Graph(r.resources).countsByType()).length)),
        ],
      ],
    ),
    "",
    "## Capabilities",
    "",
    ...table(
      ["capability", "platform.ts", "AWS", "GCP"],
      subjects.map((s) => [s, ...[expected, awsRows, gcpRows].map((rows) => rows.get(s) ?? "missing")]),
    ),
    "",
    "## How each capability is provided",
    "",
    ...table(["capability", "AWS", "GCP"], REALISATION),
    "",
    "## Differences that do not change a capability",
    "",
    ...DIFFERENCES.map((d) => `- ${d}`),
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
