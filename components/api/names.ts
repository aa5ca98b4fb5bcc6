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
