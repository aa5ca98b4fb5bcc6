import { createHash } from "node:crypto";

/**
 * Physical names within a cloud's length and character limits. Names are derived from the
 * component's logical name so a second stack in the same account never collides, and are cut
 * with a short hash of the full name so two long names that share a prefix stay distinct.
 */

export interface NameRule {
  readonly maxLength: number;
  /** Characters outside this set become `-`. */
  readonly allowed: RegExp;
  /** The name must start with a letter (GCP service accounts, Cloud SQL, Memorystore). */
  readonly startsWithLetter: boolean;
  readonly lowerCase: boolean;
}

/** Limits of the resources whose names the components choose themselves. */
export const NAME_RULES = {
  /** ALB and target group names: 32 characters. */
  awsLoadBalancer: { maxLength: 32, allowed: /[a-zA-Z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** SQS queue names: 80 characters including a `.fifo` suffix. */
  awsQueue: { maxLength: 75, allowed: /[a-zA-Z0-9_-]/, startsWithLetter: false, lowerCase: true },
  /** SNS topic names: 256 characters including `.fifo`. */
  awsTopic: { maxLength: 251, allowed: /[a-zA-Z0-9_-]/, startsWithLetter: false, lowerCase: true },
  /** IAM role names: 64 characters. */
  awsRole: { maxLength: 64, allowed: /[a-zA-Z0-9+=,.@_-]/, startsWithLetter: false, lowerCase: true },
  /** ElastiCache replication group ids: 40 characters. */
  awsCache: { maxLength: 40, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** RDS instance identifiers: 63 characters. */
  awsDatabase: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** GCP service account ids: 6 to 30 characters. */
  gcpServiceAccount: { maxLength: 30, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Cloud Run service names: 49 characters. */
  gcpCloudRun: { maxLength: 49, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Memorystore instance ids: 40 characters. */
  gcpRedis: { maxLength: 40, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Cloud SQL instance names: 98 characters, kept shorter for readability in the console. */
  gcpSql: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
  /** Pub/Sub topic and subscription ids: 255 characters. */
  gcpPubSub: { maxLength: 255, allowed: /[a-zA-Z0-9._~+%-]/, startsWithLetter: true, lowerCase: true },
  /** Secret Manager and Artifact Registry ids: 63 characters kept portable. */
  gcpId: { maxLength: 63, allowed: /[a-z0-9-]/, startsWithLetter: true, lowerCase: true },
} as const satisfies Record<string, NameRule>;

const HASH_LENGTH = 6;

/**
 * Joins `parts` with `-` and fits the result to `rule`: disallowed characters become `-`,
 * repeated and trailing dashes go, and a name over the limit keeps its start plus a 6-character
 * hash of the whole name, so it stays recognisable and unique.
 */
export function physicalName(rule: NameRule, ...parts: readonly string[]): string {
  const joined = parts.filter((p) => p.length > 0).join("-");
  if (joined.length === 0) throw new Error("[taskflow] [names] cannot derive a name from no parts");
  let name = [...(rule.lowerCase ? joined.toLowerCase() : joined)]
    .map((c) => (rule.allowed.test(c) ? c : "-"))
    .join("");
  name = name.replace(/-+/g, "-").replace(/^-+|-+$/g, "");
  if (rule.startsWithLetter && !/^[a-zA-Z]/.test(name)) name = `n-${name}`;
  if (name.length <= rule.maxLength) return name;
  const hash = createHash("sha256").update(joined).digest("hex").slice(0, HASH_LENGTH);
  const head = name.slice(0, rule.maxLength - HASH_LENGTH - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}
