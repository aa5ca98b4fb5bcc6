import type { Rule } from "../rule.js";
import { at, label } from "../rule.js";
import { AWS, GCP, K8S } from "./types.js";

/** The database refuses deletion: RDS deletionProtection; Cloud SQL both Pulumi's and the API's guard. */
export const deletionProtection: Rule = {
  name: "database-deletion-protection",
  description: "The database has deletion protection on.",
  severity: "high",
  enforcementLevel: "mandatory",
  types: { aws: [AWS.rds], gcp: [GCP.sql], kubernetes: [K8S.postgres] },
  remediationSteps:
    "Keep taskflow:deletionProtection true (the default); set it false only right before `pulumi destroy` of a stack you mean to lose.",
  validateResource: ({ type, props, name, opts }, report) => {
    const who = label({ type, name });
    // A CloudNativePG cluster has no deletion switch of its own; Pulumi's protect option refuses the delete.
    if (type === K8S.postgres && !opts.protect) report(`${who} is not protected (Pulumi protect option off)`);
    if (type === AWS.rds && props.deletionProtection !== true) report(`${who} has deletionProtection off`);
    if (type === GCP.sql) {
      if (props.deletionProtection === false) report(`${who} has Pulumi's deletionProtection off`);
      if (at(props, "settings", "deletionProtectionEnabled") !== true)
        report(`${who} has settings.deletionProtectionEnabled off`);
    }
  },
};
