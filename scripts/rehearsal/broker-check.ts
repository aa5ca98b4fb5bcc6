/**
 * The topics and subscriptions a service will open (its BROKER_TOPICS and BROKER_SUBSCRIPTIONS)
 * that the broker stand-in, built from the graph, does not hold. The rehearsal stops on any:
 * the stand-in never creates what the graph lacks.
 */
export function missingBrokerEntities(
  service: string,
  env: Readonly<Record<string, string | undefined>>,
  served: ReadonlySet<string>,
): string[] {
  const missing: string[] = [];
  for (const name of ["BROKER_TOPICS", "BROKER_SUBSCRIPTIONS"]) {
    const map = JSON.parse(env[name] ?? "{}") as Record<string, string>;
    for (const [logical, address] of Object.entries(map))
      if (!served.has(address)) missing.push(`${service}'s ${name} names ${logical} at ${address}`);
  }
  return missing;
}
