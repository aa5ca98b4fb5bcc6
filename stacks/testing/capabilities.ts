import type { CloudProvider } from "../../components/api/platform.js";
import type { PlatformDeclaration, ServiceDeclaration } from "../../services/platform.js";

/**
 * What a deployed stack can do, in words that mean the same on every cloud. Each cloud's
 * reader (aws-graph.ts, gcp-graph.ts) derives this from the resources the stack registered,
 * never from the arguments it was given, so a wrong policy or a missing DLQ shows up here.
 */
export interface ServiceCapabilities {
  readonly service: string;
  /** A long-running container service exists. */
  readonly compute: boolean;
  readonly public: boolean;
  readonly scaling: { readonly min: number; readonly max: number; readonly cpuTargetPercent: number };
  readonly health: { readonly liveness: string; readonly readiness: string };
  /** Reads DATABASE_URL from the secret store and has a network path to the database. */
  readonly database: boolean;
  readonly cache: boolean;
  /** Logical topics its identity may publish to. */
  readonly publishes: readonly string[];
  /** Logical subscriptions its identity may consume. */
  readonly consumes: readonly string[];
  /** May list topic metadata (the broker adapter's health check), which no cloud scopes to one topic. */
  readonly listsTopics: boolean;
  /** Subscriptions whose dead-letter destination its identity may write (explicit deadLetter()). */
  readonly deadLetters: readonly string[];
  /** Environment variables filled from the secret store, by name. */
  readonly secretRefs: readonly string[];
}

export interface SubscriptionCapabilities {
  readonly name: string;
  readonly topic: string;
  readonly maxAttempts: number;
  /** A dead-letter destination exists and retains what lands there. */
  readonly deadLetter: boolean;
  /** Per-key order is kept when the subscription declares it. */
  readonly orderingAsDeclared: boolean;
}

export interface DataServiceCapabilities {
  /** No public address and no rule open to the internet. */
  readonly private: boolean;
  readonly tls: boolean;
  readonly encryptedAtRest: boolean;
  /** Database: backups kept as declared. Cache: AUTH required. */
  readonly protectedAccess: boolean;
}

export interface Capabilities {
  readonly services: readonly ServiceCapabilities[];
  readonly subscriptions: readonly SubscriptionCapabilities[];
  readonly database: DataServiceCapabilities;
  readonly cache: DataServiceCapabilities;
}

/** The environment a container starts with: plain values, and the names of secret references. */
export interface InjectedEnvironment {
  readonly plain: Readonly<Record<string, string>>;
  readonly secretNames: readonly string[];
  /**
   * Each secret reference resolved to the value the graph stored in the secret store (the
   * version's data), as the platform fills it at start; absent when the reference points nowhere.
   */
  readonly secretValues: Readonly<Record<string, string>>;
  /** The command the container starts with (the image's entrypoint runs it). */
  readonly command: readonly string[];
}

/** One resource a service's identity is allowed to touch, as the cloud names it. */
export interface Grant {
  readonly resource: string;
  readonly access: string;
}

/** What a cloud's reader extracts from a mocked stack. */
export interface CloudReading {
  readonly provider: CloudProvider;
  readonly capabilities: Capabilities;
  readonly environments: Readonly<Record<string, InjectedEnvironment>>;
  readonly grants: Readonly<Record<string, readonly Grant[]>>;
  /** Per service, the cloud ids of the topics, queues or subscriptions and secrets the declaration gives it. */
  readonly ownResources: Readonly<Record<string, readonly string[]>>;
  /**
   * Per service, the cloud ids its runtime will open: the topics, queues or subscriptions (and
   * their dead-letter destinations) its broker adapter's own config parser reads from the
   * container's environment, the secrets the platform reads for it at start, the registry it
   * pulls from where its identity does that. An id the graph lacks is kept as `missing:<what>`.
   * Absent for a target whose reader has no such reading yet (its check says so).
   */
  readonly opened?: Readonly<Record<string, readonly string[]>>;
  /**
   * Per service, the data services its network rules let it connect to. Absent where the
   * target's network does not tell services apart; `networkGap` gives the reason.
   */
  readonly reaches?: Readonly<Record<string, { readonly database: boolean; readonly cache: boolean }>>;
  readonly networkGap?: string;
  /**
   * Capabilities (by row subject) this target provides differently or not at all, each with the
   * reason; the checks compare every other row, and docs/parity.md lists these.
   */
  readonly gaps?: Readonly<Record<string, string>>;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** The env variables a service must receive as secret references (docs/design.md, the env contract). */
export function secretVariables(service: ServiceDeclaration): string[] {
  return [
    ...(service.database ? ["DATABASE_URL"] : []),
    ...(service.cache ? ["CACHE_URL"] : []),
    ...(service.signsTokens ? ["JWT_PRIVATE_KEY"] : []),
  ];
}

/** The capabilities services/platform.ts asks for. */
export function expectedCapabilities(declaration: PlatformDeclaration): Capabilities {
  const secure = { private: true, tls: true, encryptedAtRest: true, protectedAccess: true };
  return normalize({
    services: declaration.services.map((s) => ({
      service: s.name,
      compute: true,
      public: s.public,
      scaling: {
        min: s.scaling.minInstances,
        max: s.scaling.maxInstances,
        cpuTargetPercent: s.scaling.cpuTargetPercent,
      },
      health: { liveness: s.health.livenessPath, readiness: s.health.readinessPath },
      database: s.database,
      cache: s.cache,
      publishes: s.publishes,
      consumes: s.consumes,
      listsTopics: s.publishes.length > 0 || s.consumes.length > 0,
      deadLetters: s.consumes,
      secretRefs: secretVariables(s),
    })),
    subscriptions: declaration.subscriptions.map((s) => ({
      name: s.name,
      topic: s.topic,
      maxAttempts: s.maxAttempts,
      deadLetter: true,
      orderingAsDeclared: true,
    })),
    database: secure,
    cache: secure,
  });
}

/** Sorts every list so two readings compare equal when they describe the same stack. */
export function normalize(capabilities: Capabilities): Capabilities {
  return {
    services: [...capabilities.services]
      .map((s) => ({
        ...s,
        publishes: sorted(s.publishes),
        consumes: sorted(s.consumes),
        deadLetters: sorted(s.deadLetters),
        secretRefs: sorted(s.secretRefs),
      }))
      .sort((a, b) => a.service.localeCompare(b.service)),
    subscriptions: [...capabilities.subscriptions].sort((a, b) => a.name.localeCompare(b.name)),
    database: capabilities.database,
    cache: capabilities.cache,
  };
}

/** One row per fact: what it is about, and its value. */
export function capabilityRows(unsorted: Capabilities): [subject: string, value: string][] {
  const capabilities = normalize(unsorted);
  const yes = (value: boolean) => (value ? "yes" : "no");
  const list = (values: readonly string[]) => `[${values.join(", ")}]`;
  const rows: [string, string][] = [];
  for (const s of capabilities.services) {
    const p = `service ${s.service}`;
    rows.push(
      [`${p}: compute`, yes(s.compute)],
      [`${p}: ingress`, s.public ? "public" : "private"],
      [`${p}: scaling`, `${s.scaling.min}..${s.scaling.max} at ${s.scaling.cpuTargetPercent}% CPU`],
      [`${p}: health checks`, `liveness ${s.health.liveness}, readiness ${s.health.readiness}`],
      [`${p}: database access`, yes(s.database)],
      [`${p}: cache access`, yes(s.cache)],
      [`${p}: publishes`, list(s.publishes)],
      [`${p}: consumes`, list(s.consumes)],
      [`${p}: may dead-letter`, list(s.deadLetters)],
      [`${p}: may list topics (broker health check)`, yes(s.listsTopics)],
      [`${p}: secret references`, list(s.secretRefs)],
    );
  }
  for (const s of capabilities.subscriptions) {
    rows.push([
      `subscription ${s.name}`,
      `from ${s.topic}, DLQ ${yes(s.deadLetter)} after ${s.maxAttempts > 0 ? `${s.maxAttempts} attempts` : "attempts the consumer counts"}, ordering ${s.orderingAsDeclared ? "as declared" : "NOT as declared"}`,
    ]);
  }
  for (const [name, d] of [
    ["database", capabilities.database],
    ["cache", capabilities.cache],
  ] as const) {
    rows.push(
      [`${name}: private network only`, yes(d.private)],
      [`${name}: TLS in transit`, yes(d.tls)],
      [`${name}: encrypted at rest`, yes(d.encryptedAtRest)],
      [`${name}: ${name === "database" ? "backups as declared" : "AUTH required"}`, yes(d.protectedAccess)],
    );
  }
  return rows;
}

/** One line per fact, for set comparison; rows whose subject is a listed gap are left out. */
export function capabilityFacts(capabilities: Capabilities, gaps: Readonly<Record<string, string>> = {}): string[] {
  return capabilityRows(capabilities)
    .filter(([subject]) => !Object.hasOwn(gaps, subject))
    .map(([subject, value]) => `${subject}: ${value}`);
}
