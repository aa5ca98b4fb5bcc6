import type { Rule } from "../rule.js";
import { at, label, list } from "../rule.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

/** No tag, or "latest": what runs changes with the next push. */
function movingReference(image: string): boolean {
  const tag = /@sha256:/.test(image) ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "");
  return tag === "" || tag === "latest";
}

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
  types: { aws: [AWS.ecr], gcp: [GCP.registry], kubernetes: [K8S.deployment], azure: [AZURE.containerApp] },
  remediationSteps:
    "Set imageTagMutability IMMUTABLE and imageScanningConfiguration.scanOnPush (ECR); dockerConfig.immutableTags and no vulnerabilityScanningConfig DISABLED (Artifact Registry); run a commit-tagged image from the stack's Azure Container Registry (the pipeline locks the tag; Defender for Containers, enabled by stacks/bootstrap/, scans it).",
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
        if (movingReference(image)) report(`${who} runs ${image}, a reference that moves`);
      }
    }
    // ACR has no registry-wide immutability switch: the pipeline locks each pushed tag
    // (write-enabled false) and Defender for Containers scans the subscription's registries. What
    // the stack decides is that each app runs a fixed tag from an Azure Container Registry.
    if (type === AZURE.containerApp) {
      for (const container of list(at(props, "template", "containers"))) {
        const image = String(at(container, "image"));
        if (movingReference(image)) report(`${who} runs ${image}, a reference that moves`);
        else if (!/^[a-z0-9]+\.azurecr\.io\//.test(image))
          report(
            `${who} runs ${image}, which is not in an Azure Container Registry, so it is neither locked nor scanned`,
          );
      }
    }
    if (type === GCP.registry) {
      if (at(props, "dockerConfig", "immutableTags") !== true) report(`${who} has mutable tags`);
      if (at(props, "vulnerabilityScanningConfig", "enablementConfig") === "DISABLED")
        report(`${who} turns vulnerability scanning off`);
    }
  },
};
