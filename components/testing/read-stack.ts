import type { PlatformDeclaration } from "../../services/platform.js";
import { readAws } from "./aws-graph.js";
import { readAzure } from "./azure-graph.js";
import type { CloudReading } from "./capabilities.js";
import { readGcp } from "./gcp-graph.js";
import { readKubernetes } from "./kubernetes-graph.js";
import type { StackRun } from "./run-stack.js";

/** One reader per built cloud, beside the one line per cloud in stacks/select.ts. */
const READERS: Partial<
  Record<StackRun["provider"], (run: StackRun, declaration: PlatformDeclaration) => CloudReading>
> = {
  aws: readAws,
  azure: readAzure,
  gcp: readGcp,
  kubernetes: readKubernetes,
};

export function readStack(run: StackRun, declaration: PlatformDeclaration): CloudReading {
  const read = READERS[run.provider];
  if (!read) throw new Error(`[taskflow] [testing] no graph reader for provider "${run.provider}"`);
  return read(run, declaration);
}
