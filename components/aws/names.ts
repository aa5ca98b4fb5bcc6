import type { NameRule } from "../api/names.js";

/** Limits of the AWS resources whose names the components choose themselves. */
export const AWS_NAMES = {
  /** ALB and target group names: 32 characters. */
  loadBalancer: { maxLength: 32, allowed: /[a-zA-Z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** SQS queue names: 80 characters including a `.fifo` suffix. */
  queue: { maxLength: 75, allowed: /[a-zA-Z0-9_-]/, startsWithLetter: false, lowerCase: true },
  /** SNS topic names: 256 characters including `.fifo`. */
  topic: { maxLength: 251, allowed: /[a-zA-Z0-9_-]/, startsWithLetter: false, lowerCase: true },
  /** IAM role names: 64 characters. */
  role: { maxLength: 64, allowed: /[a-zA-Z0-9+=,.@_-]/, startsWithLetter: false, lowerCase: true },
  /** ElastiCache replication group ids: 40 characters. */
  cache: { maxLength: 40, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** RDS instance identifiers: 63 characters. */
  database: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
} as const satisfies Record<string, NameRule>;
