import { z } from "zod";
import { DEFAULTS } from "../components/api/defaults.js";
import { CLOUD_PROVIDERS, type CloudProvider, type ConfigReader } from "../components/api/platform.js";
import { builtTargets, selectTarget } from "./select.js";

export type { ConfigReader };

/**
 * The stack's configuration (stacks/Pulumi.<stack>.yaml), read and checked in one place: the
 * settings every target shares here, and the target's own (a region, a project, a namespace)
 * by the target's reader in its folder. Every problem is reported at once, each with the
 * setting's full name and how to set it.
 */
export interface StackSettings {
  readonly provider: CloudProvider;
  /** Prefix of every resource name: `taskflow-<stack>`. */
  readonly appName: string;
  /**
   * The target's own settings, as its reader in components/<target>/settings.ts returned them;
   * only that target's `createPlatform` reads them.
   */
  readonly target: unknown;
  /** Full image reference to run; absent until an image has been pushed (services are then skipped). */
  readonly image?: string;
  readonly imageTag?: string;
  readonly domain?: { readonly name: string };
  readonly networkCidr?: string;
  readonly highAvailabilityNat?: boolean;
  readonly databaseInstance?: string;
  readonly deletionProtection?: boolean;
  readonly cacheReplicas?: number;
  readonly logLevel: string;
  readonly logRetentionDays?: number;
  readonly otelEndpoint?: string;
}

const bool = z.enum(["true", "false"]).transform((v) => v === "true");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const taskflowSchema = z.object({
  cloudProvider: z.enum(CLOUD_PROVIDERS, { message: `must be one of ${CLOUD_PROVIDERS.join(", ")}` }),
  image: z.string().min(1).optional(),
  imageTag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a Docker tag (letters, digits, _ . -)")
    .optional(),
  domain: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as app.example.com")
    .optional(),
  networkCidr: z.string().optional(),
  highAvailabilityNat: bool.optional(),
  databaseInstance: z.string().min(1).optional(),
  deletionProtection: bool.optional(),
  cacheReplicas: int(0, 5).optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default(DEFAULTS.logLevel),
  logRetentionDays: int(1, 3653).optional(),
  otelEndpoint: z.string().url().optional(),
});

const SETTINGS = Object.keys(taskflowSchema.shape) as (keyof typeof taskflowSchema.shape)[];

export function readStackSettings(read: ConfigReader, stack: string): StackSettings {
  const raw = Object.fromEntries(SETTINGS.map((key) => [key, read("taskflow", key)]));
  const parsed = taskflowSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const key = String(issue.path[0]);
        const value = raw[key];
        return `taskflow:${key} (${value === undefined ? "unset" : `"${value}"`}): ${issue.message}; set it with \`pulumi config set taskflow:${key} <value>\``;
      });

  // The target's own settings are checked even when a shared one is wrong, so every problem shows at once.
  const chosen = taskflowSchema.shape.cloudProvider.safeParse(raw.cloudProvider);
  const own = chosen.success ? selectTarget(chosen.data) : undefined;
  const domain = parsed.success ? parsed.data.domain : undefined;
  const target = own?.readSettings(read, { domain });
  if (target?.problems) problems.push(...target.problems);
  if (own) problems.push(...othersKeys(read, own.provider));
  if (problems.length > 0 || !parsed.success) {
    throw new Error(
      `[taskflow] [stack] the stack configuration has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`,
    );
  }

  const config = parsed.data;
  return {
    provider: config.cloudProvider,
    appName: `taskflow-${stack}`,
    target: target?.settings,
    image: config.image,
    imageTag: config.imageTag,
    domain: config.domain ? { name: config.domain } : undefined,
    networkCidr: config.networkCidr,
    highAvailabilityNat: config.highAvailabilityNat,
    databaseInstance: config.databaseInstance,
    deletionProtection: config.deletionProtection,
    cacheReplicas: config.cacheReplicas,
    logLevel: config.logLevel,
    logRetentionDays: config.logRetentionDays,
    otelEndpoint: config.otelEndpoint,
  };
}

/** A `taskflow:` setting of another target is refused by name rather than ignored. */
function othersKeys(read: ConfigReader, provider: CloudProvider): string[] {
  const problems: string[] = [];
  for (const other of builtTargets()) {
    if (other.provider === provider) continue;
    for (const key of other.ownKeys) {
      if (read("taskflow", key) !== undefined) {
        problems.push(`taskflow:${key}: is ${article(other.title)} ${other.title} setting; unset it for this cloud`);
      }
    }
  }
  return problems;
}

const article = (word: string) => (/^[AEIOU]/.test(word) ? "an" : "a");
