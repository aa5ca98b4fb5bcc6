import type { Rule } from "../rule.js";
import { at, label } from "../rule.js";
import { AWS, GCP } from "./types.js";

/**
 * A pushed tag never moves (the tag a stack runs is the image that was tested and promoted) and
 * every image is scanned for known vulnerabilities. Artifact Registry scans through the
 * Container Scanning API, which stacks/bootstrap/ enables; the rule refuses a repository that
 * turns scanning off.
 */
export const registryImages: Rule = {
  name: "registry-immutable-scanned",
  description: "Registry tags are immutable and pushed images are scanned.",
  severity: "high",
  enforcementLevel: "mandatory",
  types: { aws: [AWS.ecr], gcp: [GCP.registry] },
  remediationSteps:
    "Set imageTagMutability IMMUTABLE and imageScanningConfiguration.scanOnPush (ECR); dockerConfig.immutableTags and no vulnerabilityScanningConfig DISABLED (Artifact Registry).",
  validateResource: ({ type, props, name }, report) => {
    const who = label({ type, name });
    if (type === AWS.ecr) {
      if (props.imageTagMutability !== "IMMUTABLE")
        report(`${who} has mutable tags (${String(props.imageTagMutability ?? "MUTABLE")})`);
      if (at(props, "imageScanningConfiguration", "scanOnPush") !== true) report(`${who} does not scan on push`);
    }
    if (type === GCP.registry) {
      if (at(props, "dockerConfig", "immutableTags") !== true) report(`${who} has mutable tags`);
      if (at(props, "vulnerabilityScanningConfig", "enablementConfig") === "DISABLED")
        report(`${who} turns vulnerability scanning off`);
    }
  },
};
