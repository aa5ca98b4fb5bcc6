import type { PlacementArgs } from "../api/platform.js";

/** GCP resources live in a project; a stack without `gcp:project` cannot place them. */
export function requireProject(placement: PlacementArgs, what: string): string {
  if (!placement.project) {
    throw new Error(`[taskflow] [gcp] ${what}: no project; set it with \`pulumi config set gcp:project <project-id>\``);
  }
  return placement.project;
}
