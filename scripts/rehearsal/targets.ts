import type { CloudProvider } from "../../components/api/platform.js";
import type { RehearsalTarget } from "./target.js";

/** One line per target that can be rehearsed; a new target adds its file and a line here. */
const TARGETS: Partial<Record<CloudProvider, () => Promise<RehearsalTarget>>> = {
  aws: async () => (await import("./aws.js")).aws,
  azure: async () => (await import("./azure.js")).azure,
  gcp: async () => (await import("./gcp.js")).gcp,
  kubernetes: async () => (await import("./kubernetes.js")).kubernetes,
};

export const REHEARSABLE = Object.keys(TARGETS) as CloudProvider[];

export async function loadTarget(name: string): Promise<RehearsalTarget> {
  const load = TARGETS[name as CloudProvider];
  if (!load)
    throw new Error(
      `[taskflow] [rehearsal] "${name}" cannot be rehearsed; choose one of ${REHEARSABLE.join(", ")} (usage: npm run rehearse -- <${REHEARSABLE.join("|")}>)`,
    );
  return load();
}
