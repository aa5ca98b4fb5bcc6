/**
 * Engine versions: services/platform.ts declares a major version ("7", "16") and each cloud
 * spells it its own way. A major version maps to the newest minor the cloud offers for it.
 */

interface Version {
  readonly major: number;
  readonly minor?: number;
}

function parse(what: string, declared: string): Version {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(declared.trim());
  if (!match)
    throw new Error(`[taskflow] [versions] ${what} version "${declared}" is not "<major>" or "<major>.<minor>"`);
  return { major: Number(match[1]), minor: match[2] === undefined ? undefined : Number(match[2]) };
}

/** Newest minor of each Redis major that ElastiCache and Memorystore both offer. */
const REDIS_LATEST_MINOR: Readonly<Record<number, number>> = { 6: 2, 7: 2 };

function redis(declared: string): Required<Version> {
  const { major, minor } = parse("redis", declared);
  const latest = REDIS_LATEST_MINOR[major];
  if (latest === undefined) {
    throw new Error(
      `[taskflow] [versions] redis ${declared} is not offered; use one of ${Object.keys(REDIS_LATEST_MINOR).join(", ")}`,
    );
  }
  return { major, minor: minor ?? latest };
}

/** ElastiCache wants "7.1" style for Redis 7 and later ("7" alone is refused), "6.x" for 6. */
export function elastiCacheEngineVersion(declared: string): string {
  const { major, minor } = redis(declared);
  if (major === 6) return "6.x";
  // ElastiCache's newest Redis OSS 7 is 7.1; Memorystore's is 7.2. Both speak the same protocol.
  return `${major}.${Math.min(minor, 1)}`;
}

/** Memorystore's enum: REDIS_7_2, REDIS_7_0, REDIS_6_X. */
export function memorystoreRedisVersion(declared: string): string {
  const { major, minor } = redis(declared);
  return major === 6 ? "REDIS_6_X" : `REDIS_${major}_${minor}`;
}

/** Cloud SQL's enum: POSTGRES_16. */
export function cloudSqlPostgresVersion(declared: string): string {
  const { major } = parse("postgres", declared);
  if (major < 12)
    throw new Error(`[taskflow] [versions] postgres ${declared} is out of support on both clouds; use 12 or later`);
  return `POSTGRES_${major}`;
}

/** RDS takes a major version and picks its default minor; its parameter group family is postgres<major>. */
export function rdsPostgres(declared: string): { readonly engineVersion: string; readonly family: string } {
  const { major, minor } = parse("postgres", declared);
  if (major < 12)
    throw new Error(`[taskflow] [versions] postgres ${declared} is out of support on both clouds; use 12 or later`);
  return { engineVersion: minor === undefined ? String(major) : `${major}.${minor}`, family: `postgres${major}` };
}
