import { offeredVersion, postgresVersion, REDIS_LATEST_MINOR } from "../api/versions.js";

/** Memorystore's enum: REDIS_7_2, REDIS_7_0, REDIS_6_X. */
export function memorystoreRedisVersion(declared: string): string {
  const { major, minor } = offeredVersion("redis", declared, REDIS_LATEST_MINOR);
  return major === 6 ? "REDIS_6_X" : `REDIS_${major}_${minor}`;
}

/** Cloud SQL's enum: POSTGRES_16. */
export function cloudSqlPostgresVersion(declared: string): string {
  return `POSTGRES_${postgresVersion(declared).major}`;
}
