import type { ConfigReader, TargetSettings } from "../api/platform.js";

/** Where GCP resources go: a project, and the region inside it. */
export interface GcpPlacement {
  /** `gcp:region`, the Google provider's own setting. */
  readonly region: string;
  /** `gcp:project`: every resource lives in it (the account alone does not say where). */
  readonly project: string;
}

/** The settings only GCP has; today its placement alone. */
export type GcpSettings = GcpPlacement;

export function readGcpSettings(read: ConfigReader): TargetSettings<GcpSettings> {
  const region = read("gcp", "region");
  const project = read("gcp", "project");
  const problems: string[] = [];
  if (!region) problems.push("gcp:region (unset): is required; set it with `pulumi config set gcp:region <region>`");
  if (!project)
    problems.push("gcp:project (unset): is required; set it with `pulumi config set gcp:project <project-id>`");
  if (!region || !project) return { problems };
  return { settings: { region, project } };
}
