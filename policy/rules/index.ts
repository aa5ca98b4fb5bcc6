import type { Rule } from "../rule.js";
import { connectionLogging } from "./connection-logging.js";
import { deadLetter } from "./dead-letter.js";
import { deletionProtection } from "./deletion-protection.js";
import { encryptionAtRest } from "./encryption-at-rest.js";
import { flowLogs } from "./flow-logs.js";
import { healthAndScaling } from "./health-and-scaling.js";
import { leastPrivilege } from "./least-privilege.js";
import { logRetention } from "./log-retention.js";
import { noPublicData } from "./no-public-data.js";
import { registryImages } from "./registry-images.js";
import { secretsByReference } from "./secrets-by-reference.js";
import { tlsInTransit } from "./tls-in-transit.js";

/** One rule per concern, in the order the README lists them. */
export const RULES: readonly Rule[] = [
  noPublicData,
  encryptionAtRest,
  tlsInTransit,
  deadLetter,
  healthAndScaling,
  leastPrivilege,
  secretsByReference,
  logRetention,
  registryImages,
  flowLogs,
  connectionLogging,
  deletionProtection,
];
