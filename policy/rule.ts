import type {
  EnforcementLevel,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  Severity,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/** Targets a rule knows the resource types of; a built target missing here fails a test. */
export const TARGETS = ["aws", "gcp", "azure", "kubernetes"] as const;
export type Target = (typeof TARGETS)[number];

/**
 * One concern, written once for every target. `types` lists, per target, the resource types the
 * rule reads, so a test can prove each built target is covered and that a shipped stack really
 * contains what the rule looks at. A target whose platform leaves nothing to check (GCP encrypts
 * every store at rest and has no switch to turn it off) says so in `notCheckable` instead.
 */
export interface Rule {
  readonly name: string;
  readonly description: string;
  readonly severity: Severity;
  readonly enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
  readonly types: Partial<Record<Target, readonly string[]>>;
  readonly notCheckable?: Partial<Record<Target, string>>;
  /** Whether this rule reads each resource on its own or the whole stack at once. */
  readonly validateResource?: (args: ResourceValidationArgs, report: ReportViolation) => void;
  readonly validateStack?: (args: StackValidationArgs, report: ReportViolation) => void;
  readonly configSchema?: ResourceValidationPolicy["configSchema"];
  readonly remediationSteps: string;
}

/** The rule as the Pulumi engine takes it. */
export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const base = {
    name: rule.name,
    description: rule.description,
    severity: rule.severity,
    enforcementLevel: rule.enforcementLevel,
    remediationSteps: rule.remediationSteps,
    ...(rule.configSchema ? { configSchema: rule.configSchema } : {}),
  };
  if (rule.validateStack) return { ...base, validateStack: rule.validateStack };
  if (rule.validateResource) return { ...base, validateResource: rule.validateResource };
  throw new Error(`[taskflow] [policy] rule "${rule.name}" validates nothing`);
}

export type Props = Record<string, unknown>;

/** Resources of the stack grouped for relational rules. */
export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

/** Reads a nested property; a missing step gives undefined, never a throw. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? [...value] : value === undefined ? [] : [value];

/** A property that providers accept either as a JSON string or as an object. */
export function json(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** Every resource of `types` the policy sees, with its name, for messages. */
export const label = (r: { type: string; name: string }) => `${r.type.split(":").pop()} "${r.name}"`;
