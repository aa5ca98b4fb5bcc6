import type { Rule } from "../rule.js";
import { at, label, list, ofType } from "../rule.js";
import { isChildOf, serverParametersOn } from "./azure-children.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

const FLAGS = ["log_connections", "log_disconnections"];
const on = (value: unknown) => ["1", "on", "true"].includes(String(value).toLowerCase());

/**
 * PostgreSQL logs every connection and disconnection, so a login can be traced; on RDS the
 * PostgreSQL log is also exported to CloudWatch, where it outlives the instance's own log files.
 */
export const connectionLogging: Rule = {
  name: "database-connection-logging",
  description: "The database logs connections and disconnections (exported to CloudWatch on RDS).",
  severity: "medium",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.rds, AWS.rdsParams],
    gcp: [GCP.sql],
    kubernetes: [K8S.postgres],
    azure: [AZURE.postgres, AZURE.postgresParameter, AZURE.diagnosticSetting, AZURE.workspace],
  },
  remediationSteps:
    'Set log_connections=1 and log_disconnections=1 in the RDS parameter group and enabledCloudwatchLogsExports ["postgresql"] on the instance; databaseFlags log_connections=on and log_disconnections=on on Cloud SQL; the server parameters (dbforpostgresql Configuration) log_connections=on and log_disconnections=on on Flexible Server, with a diagnostic setting sending its PostgreSQLLogs to the stack\'s Log Analytics workspace.',
  validateStack: ({ resources }, report) => {
    const params = new Map(ofType(resources, AWS.rdsParams).map((p) => [String(p.props.name), p]));
    const missing = (entries: unknown[], key: string, value: string) =>
      FLAGS.filter((flag) => !entries.some((e) => at(e, key) === flag && on(at(e, value))));
    for (const db of ofType(resources, AWS.rds)) {
      if (db.props.engine !== "postgres") continue;
      const group = params.get(String(db.props.parameterGroupName));
      const absent = missing(list(group?.props.parameters), "name", "value");
      if (absent.length > 0) report(`${label(db)} does not log ${absent.join(" or ")}`, db.urn);
      if (!list(db.props.enabledCloudwatchLogsExports).includes("postgresql"))
        report(`${label(db)} does not export its PostgreSQL log to CloudWatch`, db.urn);
    }
    for (const pg of ofType(resources, K8S.postgres)) {
      const parameters = (at(pg.props, "spec", "postgresql", "parameters") ?? {}) as Record<string, unknown>;
      const absent = FLAGS.filter((flag) => !on(parameters[flag]));
      if (absent.length > 0) report(`${label(pg)} does not log ${absent.join(" or ")}`, pg.urn);
    }
    const workspaces = new Set(ofType(resources, AZURE.workspace).map((w) => String(w.props.id).toLowerCase()));
    for (const server of ofType(resources, AZURE.postgres)) {
      const set = serverParametersOn(resources, server, AZURE.postgresParameter);
      const absent = FLAGS.filter((flag) => !set.has(flag));
      if (absent.length > 0) report(`${label(server)} does not log ${absent.join(" or ")}`, server.urn);
      const exported = ofType(resources, AZURE.diagnosticSetting).some(
        (d) =>
          isChildOf(d, server, "providers/Microsoft.Insights/diagnosticSettings") &&
          workspaces.has(String(d.props.workspaceId).toLowerCase()) &&
          list(d.props.logs).some(
            (l) =>
              at(l, "enabled") === true &&
              ["PostgreSQLLogs", "allLogs"].includes(String(at(l, "category") ?? at(l, "categoryGroup"))),
          ),
      );
      if (!exported)
        report(
          `${label(server)} does not send its PostgreSQLLogs to a Log Analytics workspace of the stack`,
          server.urn,
        );
    }
    for (const sql of ofType(resources, GCP.sql)) {
      if (!String(sql.props.databaseVersion).startsWith("POSTGRES")) continue;
      const absent = missing(list(at(sql.props, "settings", "databaseFlags")), "name", "value");
      if (absent.length > 0) report(`${label(sql)} does not log ${absent.join(" or ")}`, sql.urn);
    }
  },
};
