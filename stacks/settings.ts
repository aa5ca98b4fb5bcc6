import { z } from "zod";
import { DEFAULTS } from "../components/api/defaults.js";
import { CLOUD_PROVIDERS, type CloudProvider, type PlacementArgs } from "../components/api/platform.js";

/**
 * The stack's configuration (stacks/Pulumi.<stack>.yaml), read and checked in one place. Every
 * problem is reported at once, each with the setting's full name and how to set it.
 */
export interface StackSettings {
  readonly provider: CloudProvider;
  /** Prefix of every resource name: `taskflow-<stack>`. */
  readonly appName: string;
  readonly placement: PlacementArgs;
  /** Full image reference to run; absent until an image has been pushed (services are then skipped). */
  readonly image?: string;
  readonly imageTag?: string;
  readonly domain?: { readonly name: string; readonly certificate?: string };
  /** The public entry point may serve plain HTTP when there is no certificate (AWS; see ClusterArgs). */
  readonly allowPlainHttp?: boolean;
  readonly networkCidr?: string;
  readonly highAvailabilityNat?: boolean;
  readonly databaseInstance?: string;
  readonly deletionProtection?: boolean;
  readonly cacheReplicas?: number;
  readonly logLevel: string;
  readonly logRetentionDays?: number;
  readonly otelEndpoint?: string;
}

/** Reads one config value: `namespace:key`, or undefined when unset. */
export type ConfigReader = (namespace: string, key: string) => string | undefined;

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
  certificateArn: z.string().startsWith("arn:aws:acm:", "must be an ACM certificate ARN").optional(),
  allowPlainHttp: bool.optional(),
  networkCidr: z.string().optional(),
  highAvailabilityNat: bool.optional(),
  databaseInstance: z.string().min(1).optional(),
  deletionProtection: bool.optional(),
  cacheReplicas: int(0, 5).optional(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default(DEFAULTS.logLevel),
  logRetentionDays: int(1, 3653).optional(),
  otelEndpoint: z.string().url().optional(),
  resourceGroup: z
    .string()
    .regex(
      /^[-\w.()]{1,89}[-\w()]$/,
      "must be an Azure resource group name (letters, digits, - _ . ( ), not ending in .)",
    )
    .optional(),
});

const SETTINGS = Object.keys(taskflowSchema.shape) as (keyof typeof taskflowSchema.shape)[];

/** The Pulumi provider package whose settings place resources on `provider`. */
const providerNamespace = (provider: "aws" | "gcp" | "azure") => (provider === "azure" ? "azure-native" : provider);

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

  const provider = parsed.success ? parsed.data.cloudProvider : undefined;
  // Each cloud's own provider setting: aws:region, gcp:region, azure-native:location.
  const regionSetting = provider === "azure" ? "location" : "region";
  const regionKey =
    provider === "gcp" || provider === "aws" || provider === "azure" ? providerNamespace(provider) : undefined;
  const region = regionKey ? read(regionKey, regionSetting) : undefined;
  const project = provider === "gcp" ? read("gcp", "project") : undefined;
  if (regionKey && !region)
    problems.push(
      `${regionKey}:${regionSetting} (unset): is required; set it with \`pulumi config set ${regionKey}:${regionSetting} <${regionSetting}>\``,
    );
  if (provider === "gcp" && !project)
    problems.push("gcp:project (unset): is required; set it with `pulumi config set gcp:project <project-id>`");
  if (parsed.success && parsed.data.resourceGroup && provider !== "azure") {
    problems.push("taskflow:resourceGroup: is an Azure setting; unset it for this cloud");
  }
  if (parsed.success && parsed.data.certificateArn && !parsed.data.domain) {
    problems.push("taskflow:certificateArn: is set without taskflow:domain; set the domain the certificate is for");
  }
  if (problems.length > 0 || !parsed.success) {
    throw new Error(
      `[taskflow] [stack] the stack configuration has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`,
    );
  }

  const config = parsed.data;
  return {
    provider: config.cloudProvider,
    appName: `taskflow-${stack}`,
    placement: {
      region: region ?? "",
      ...(project ? { project } : {}),
      ...(config.resourceGroup ? { resourceGroup: config.resourceGroup } : {}),
    },
    image: config.image,
    imageTag: config.imageTag,
    domain: config.domain ? { name: config.domain, certificate: config.certificateArn } : undefined,
    allowPlainHttp: config.allowPlainHttp,
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
