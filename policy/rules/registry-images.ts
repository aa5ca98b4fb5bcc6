import type { Rule } from "../rule.js";
import { at, label, list } from "../rule.js";
import { AWS, GCP, K8S } from "./types.js";

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
  types: { aws: [AWS.ecr], gcp: [GCP.registry], kubernetes: [K8S.deployment] },
  remediationSteps:
    "Set imageTagMutability IMMUTABLE and imageScanningConfiguration.scanOnPush (ECR); dockerConfig.immutableTags and no vulnerabilityScanningConfig DISABLED (Artifact Registry).",
  validateResource: ({ type, props, name }, report) => {
    const who = label({ type, name });
    if (type === AWS.ecr) {
      if (props.imageTagMutability !== "IMMUTABLE")
        report(`${who} has mutable tags (${String(props.imageTagMutability ?? "MUTABLE")})`);
      if (at(props, "imageScanningConfiguration", "scanOnPush") !== true) report(`${who} does not scan on push`);
    }
    // The cluster pulls from any registry, so the stack cannot make its tags immutable; it can
    // refuse a moving reference: no tag, or "latest".
    if (type === K8S.deployment) {
      for (const container of list(at(props, "spec", "template", "spec", "containers"))) {
        const image = String(at(container, "image"));
        const tag = /@sha256:/.test(image) ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "");
        if (tag === "" || tag === "latest") report(`${who} runs ${image}, a reference that moves`);
      }
    }
    if (type === GCP.registry) {
      if (at(props, "dockerConfig", "immutableTags") !== true) report(`${who} has mutable tags`);
      if (at(props, "vulnerabilityScanningConfig", "enablementConfig") === "DISABLED")
        report(`${who} turns vulnerability scanning off`);
    }
  },
};
