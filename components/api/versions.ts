/**
 * Engine versions: services/platform.ts declares a major version ("7", "16") and each cloud
 * spells it its own way (`components/<cloud>/versions.ts`). A major version maps to the newest
 * minor the cloud offers for it.
 */

export interface Version {
  readonly major: number;
  readonly minor?: number;
}

export function parseVersion(what: string, declared: string): Version {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(declared.trim());
  if (!match)
    throw new Error(`[taskflow] [versions] ${what} version "${declared}" is not "<major>" or "<major>.<minor>"`);
  return { major: Number(match[1]), minor: match[2] === undefined ? undefined : Number(match[2]) };
}

/**
 * The declared version of `what`, with its minor filled in from `newestMinor` (major → newest
 * minor a cloud offers); a major missing from the table is refused, naming those offered.
 */
export function offeredVersion(
  what: string,
  declared: string,
  newestMinor: Readonly<Record<number, number>>,
): Required<Version> {
  const { major, minor } = parseVersion(what, declared);
  const latest = newestMinor[major];
  if (latest === undefined) {
    throw new Error(
      `[taskflow] [versions] ${what} ${declared} is not offered; use one of ${Object.keys(newestMinor).join(", ")}`,
    );
  }
  return { major, minor: minor ?? latest };
}

/** Newest minor of each Redis major that every managed Redis the clouds offer speaks. */
export const REDIS_LATEST_MINOR: Readonly<Record<number, number>> = { 6: 2, 7: 2 };

/** PostgreSQL majors before 12 are out of support on every cloud. */
export function postgresVersion(declared: string): Version {
  const version = parseVersion("postgres", declared);
  if (version.major < 12)
    throw new Error(`[taskflow] [versions] postgres ${declared} is out of support on both clouds; use 12 or later`);
  return version;
}
