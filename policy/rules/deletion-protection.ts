import type { Rule } from "../rule.js";
import { at, label, ofType } from "../rule.js";
import { isChildOf } from "./azure-children.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

/** Lock levels that refuse a delete. */
const REFUSES_DELETE = new Set(["CanNotDelete", "ReadOnly"]);

/**
 * The database refuses deletion: RDS deletionProtection; Cloud SQL both Pulumi's and the API's
 * guard; Flexible Server, which has no such switch, a management lock on the server or its
 * resource group. It reads the whole stack because a lock is a resource of its own.
 */
export const deletionProtection: Rule = {
  name: "database-deletion-protection",
  description: "The database has deletion protection on.",
  severity: "high",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.rds],
    gcp: [GCP.sql],
    kubernetes: [K8S.postgres],
    azure: [AZURE.postgres, AZURE.lock, AZURE.groupLock],
  },
  remediationSteps:
    "Keep taskflow:deletionProtection true (the default); set it false only right before `pulumi destroy` of a stack you mean to lose. On Azure it is a CanNotDelete management lock on the server.",
  validateStack: ({ resources }, report) => {
    // A CloudNativePG cluster has no deletion switch of its own; Pulumi's protect option refuses the delete.
    for (const pg of ofType(resources, K8S.postgres))
      if (!pg.opts.protect) report(`${label(pg)} is not protected (Pulumi protect option off)`, pg.urn);
    for (const db of ofType(resources, AWS.rds))
      if (db.props.deletionProtection !== true) report(`${label(db)} has deletionProtection off`, db.urn);
    for (const sql of ofType(resources, GCP.sql)) {
      if (sql.props.deletionProtection === false) report(`${label(sql)} has Pulumi's deletionProtection off`, sql.urn);
      if (at(sql.props, "settings", "deletionProtectionEnabled") !== true)
        report(`${label(sql)} has settings.deletionProtectionEnabled off`, sql.urn);
    }
    const locks = ofType(resources, AZURE.lock).filter((l) => REFUSES_DELETE.has(String(l.props.level)));
    const groupLocks = ofType(resources, AZURE.groupLock).filter((l) => REFUSES_DELETE.has(String(l.props.level)));
    for (const server of ofType(resources, AZURE.postgres)) {
      const group = String(server.props.id).toLowerCase().split("/providers/")[0];
      const locked =
        server.opts.protect ||
        locks.some((l) => isChildOf(l, server, "providers/Microsoft.Authorization/locks")) ||
        groupLocks.some((l) => String(l.props.id).toLowerCase().startsWith(`${group}/providers/`));
      if (!locked) report(`${label(server)} has no CanNotDelete lock, on it or on its resource group`, server.urn);
    }
  },
};
