import { offeredVersion, postgresVersion, REDIS_LATEST_MINOR } from "../api/versions.js";

/** ElastiCache wants "7.1" style for Redis 7 and later ("7" alone is refused), "6.x" for 6. */
export function elastiCacheEngineVersion(declared: string): string {
  const { major, minor } = offeredVersion("redis", declared, REDIS_LATEST_MINOR);
  if (major === 6) return "6.x";
  // ElastiCache's newest Redis OSS 7 is 7.1; Memorystore's is 7.2. Both speak the same protocol.
  return `${major}.${Math.min(minor, 1)}`;
}

/** RDS takes a major version and picks its default minor; its parameter group family is postgres<major>. */
export function rdsPostgres(declared: string): { readonly engineVersion: string; readonly family: string } {
  const { major, minor } = postgresVersion(declared);
  return { engineVersion: minor === undefined ? String(major) : `${major}.${minor}`, family: `postgres${major}` };
}
