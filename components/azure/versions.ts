/** Engine versions as Azure spells them. */

const POSTGRES_MAJORS = [13, 14, 15, 16, 17] as const;

/** Flexible Server takes a major version ("16"); it picks and patches the minor itself. */
export function flexibleServerVersion(declared: string): string {
  const major = Number(/^(\d+)(?:\.\d+)?$/.exec(declared.trim())?.[1]);
  if (!(POSTGRES_MAJORS as readonly number[]).includes(major)) {
    throw new Error(
      `[taskflow] [versions] postgres ${declared} is not offered by Flexible Server; use one of ${POSTGRES_MAJORS.join(", ")}`,
    );
  }
  return String(major);
}

/**
 * Azure Managed Redis runs Redis 7.4 and has no version setting; a declared major above 7
 * would promise commands it does not have, so it is refused.
 */
export function checkManagedRedisVersion(declared: string): void {
  const major = Number(/^(\d+)(?:\.\d+)?$/.exec(declared.trim())?.[1]);
  if (!(major >= 6 && major <= 7)) {
    throw new Error(
      `[taskflow] [versions] redis ${declared} is not what Azure Managed Redis runs (7.4); declare 6 or 7`,
    );
  }
}
