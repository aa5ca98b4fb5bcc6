import type { TargetDocs } from "../api/platform.js";

/** What Azure contributes to docs/architecture.md and docs/parity.md. */
export const AZURE_DOCS: TargetDocs = {
  architecture: {
    compute: "Container Apps on a VNet environment",
    database: "PostgreSQL Flexible Server, private access",
    cache: "Azure Managed Redis, private endpoint",
    broker: "Service Bus topics and subscriptions (sessions where ordered)",
  },
  realisation: {
    compute: "Container App in a VNet environment",
    ingress: "gateway: external ingress; others: internal ingress (environment only); HTTPS only",
    scaling: "template.scale min/max replicas + a `cpu` Utilization scale rule",
    "health checks": "Startup, Readiness and Liveness HTTP probes",
    "database / cache access": "Key Vault reference + Key Vault Secrets User on that secret + environment on the VNet",
    publishes: "user-assigned identity: Azure Service Bus Data Sender on the topic",
    consumes: "user-assigned identity: Azure Service Bus Data Receiver on the subscription",
    "may dead-letter": "the subscription's own `$DeadLetterQueue`, covered by the receiver role on the subscription",
    "may list topics (broker health check)": "none needed: the adapter's check opens a link to one of its own entities",
    "secret references": "Container Apps secret with `keyVaultUrl` (versioned) and the app's identity",
    "subscription DLQ": "subscription maxDeliveryCount + dead-lettering on expiry into its `$DeadLetterQueue`",
    database:
      "Flexible Server: public access Disabled, delegated subnet + linked private DNS zone, require_secure_transport, always encrypted, backups",
    cache:
      "Azure Managed Redis: public access Disabled, private endpoint + linked DNS zone, Encrypted protocol with TLS 1.2, access key, always encrypted",
  },
  differences: [
    "Azure ordering: only the subscriptions that declare ordering require sessions (the adapter sends the key as the session id); duplicate detection (10 minutes) is on for every topic, as the adapter sets it when it creates topics itself.",
    "Azure database TLS: Flexible Server certificates name the server's host and chain to DigiCert Global Root G2 or Microsoft RSA Root CA 2017, which are public roots; the stack still hands exactly those two as `DATABASE_TLS_CA` with `sslmode=verify-full`, so no other public CA is accepted for the database.",
    "Azure cache: Azure Managed Redis listens on port 10000 with the Enterprise clustering policy (one endpoint, multi-key reads split per slot by the adapter); its certificate chains to a public root, so no CA is injected. The access key, not an Entra ID token, authenticates: the key lives only inside the CACHE_URL Key Vault secret.",
    "Azure dead letters have no retention setting: a message stays in `$DeadLetterQueue` until it is received, so `deadLetterRetentionDays` does not apply there.",
    "Azure flow logs: a VNet flow log (Network Watcher) records every flow of the VNet into a storage account in the stack's resource group. The flow log itself lives beside the subscription's Network Watcher for the location (NetworkWatcher_<location> in NetworkWatcherRG, which Azure creates with the first VNet), not in the stack's resource group.",
    "Azure database logs: the server's PostgreSQLLogs, connection and disconnection lines included, go to the Log Analytics workspace through a diagnostic setting, kept as long as the apps' logs, as RDS exports its log to CloudWatch.",
    "Azure broker network: Service Bus Standard has no private endpoint (Premium does); like SNS/SQS and Pub/Sub it is reached on its public endpoint with TLS and Entra ID, and local (SAS) keys are disabled.",
  ],
  gaps: [
    "Azure registry retention: `keepImages` is not enforced (ACR Basic has no retention policy for tagged images). Plan: an ACR task running `acr purge --keep <keepImages>` on a schedule, created with `containerregistry.Task`.",
  ],
};
