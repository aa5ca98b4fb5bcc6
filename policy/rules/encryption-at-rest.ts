import type { Rule } from "../rule.js";
import { label } from "../rule.js";
import { AWS } from "./types.js";

const GCP_ALWAYS =
  "Cloud SQL, Memorystore, Pub/Sub, Secret Manager and Artifact Registry encrypt at rest with Google-managed keys and have no setting that turns it off.";

/** Every store that keeps data on disk encrypts it. */
export const encryptionAtRest: Rule = {
  name: "encryption-at-rest",
  description: "Databases, caches, queues and topics encrypt the data they store.",
  severity: "high",
  enforcementLevel: "mandatory",
  types: { aws: [AWS.rds, AWS.redis, AWS.sqs, AWS.sns] },
  notCheckable: {
    gcp: GCP_ALWAYS,
    azure:
      "Flexible Server, Azure Managed Redis, Service Bus, Key Vault, Container Registry and Storage encrypt at rest with platform-managed keys and have no setting that turns it off.",
    kubernetes:
      "Volumes are encrypted by the cluster's StorageClass (taskflow:storageClass), whose parameters are not part of the stack.",
  },
  remediationSteps:
    "Set storageEncrypted (RDS), atRestEncryptionEnabled (ElastiCache), sqsManagedSseEnabled or kmsMasterKeyId (SQS) and kmsMasterKeyId (SNS, e.g. alias/aws/sns).",
  validateResource: ({ type, props, name }, report) => {
    const who = label({ type, name });
    if (type === AWS.rds && props.storageEncrypted !== true) report(`${who} has storageEncrypted off`);
    if (type === AWS.redis && props.atRestEncryptionEnabled !== true) report(`${who} has atRestEncryptionEnabled off`);
    if (type === AWS.sqs && props.sqsManagedSseEnabled !== true && !props.kmsMasterKeyId)
      report(`${who} has neither sqsManagedSseEnabled nor a kmsMasterKeyId`);
    if (type === AWS.sns && !props.kmsMasterKeyId)
      report(`${who} has no kmsMasterKeyId, so messages it holds for retry are stored unencrypted`);
  },
};
