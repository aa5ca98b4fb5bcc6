import type { Rule } from "../rule.js";
import { at, json, label, list, ofType } from "../rule.js";
import { AWS, AZURE, GCP } from "./types.js";

/**
 * Every log store the stack writes to has a retention period, and every service writes to one
 * of the stack's own stores: an ECS container logging to a group the stack does not manage would
 * keep its logs forever, and Cloud Run logs no sink routes stay only in the project's _Default bucket.
 */
export const logRetention: Rule = {
  name: "log-retention",
  description: "Every log group or bucket has a retention period, and every service logs to one of them.",
  severity: "low",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.logGroup, AWS.taskDefinition],
    gcp: [GCP.logBucket, GCP.logSink, GCP.run],
    azure: [AZURE.workspace, AZURE.environment, AZURE.containerApp, AZURE.flowLog],
  },
  notCheckable: {
    kubernetes:
      "Containers log to stdout; the cluster's log pipeline (outside the stack) decides how long lines are kept.",
  },
  remediationSteps:
    "Set retentionInDays on each CloudWatch log group and point each container's awslogs-group at one; set retentionDays on the log bucket and route the services' logs to it with a sink; set retentionInDays on the Log Analytics workspace, send the Container Apps environment's logs to it, and give each VNet flow log a retentionPolicy.",
  validateStack: ({ resources }, report) => {
    const groups = ofType(resources, AWS.logGroup);
    for (const group of groups) {
      const days = Number(group.props.retentionInDays ?? 0);
      if (!(days > 0)) report(`${label(group)} keeps logs forever (retentionInDays unset)`, group.urn);
    }
    const names = new Set(groups.map((g) => String(g.props.name)));
    for (const task of ofType(resources, AWS.taskDefinition)) {
      for (const container of list(json(task.props.containerDefinitions))) {
        const group = at(container, "logConfiguration", "options", "awslogs-group");
        if (typeof group !== "string" || !names.has(group))
          report(`${label(task)} logs to ${String(group ?? "nowhere")}, not to a log group of the stack`, task.urn);
      }
    }
    const workspaces = ofType(resources, AZURE.workspace);
    for (const workspace of workspaces) {
      const days = Number(workspace.props.retentionInDays ?? 0);
      if (!(days > 0)) report(`${label(workspace)} has no retentionInDays`, workspace.urn);
    }
    const customerIds = new Set(workspaces.map((w) => String(w.props.customerId)));
    const environments = ofType(resources, AZURE.environment);
    for (const environment of environments) {
      const logs = at(environment.props, "appLogsConfiguration");
      const customerId = String(at(logs, "logAnalyticsConfiguration", "customerId"));
      if (at(logs, "destination") !== "log-analytics" || !customerIds.has(customerId))
        report(
          `${label(environment)} sends its apps' logs to no Log Analytics workspace of the stack`,
          environment.urn,
        );
    }
    const environmentIds = new Set(environments.map((e) => String(e.props.id).toLowerCase()));
    for (const app of ofType(resources, AZURE.containerApp)) {
      if (!environmentIds.has(String(app.props.managedEnvironmentId).toLowerCase()))
        report(`${label(app)} runs in an environment outside the stack, whose logs it does not keep`, app.urn);
    }
    for (const log of ofType(resources, AZURE.flowLog)) {
      const policy = at(log.props, "retentionPolicy");
      if (at(policy, "enabled") !== true || !(Number(at(policy, "days")) > 0))
        report(`${label(log)} keeps flow logs forever (no retentionPolicy with days)`, log.urn);
    }
    const buckets = ofType(resources, GCP.logBucket);
    for (const bucket of buckets) {
      const days = Number(bucket.props.retentionDays ?? 0);
      if (!(days > 0)) report(`${label(bucket)} has no retentionDays`, bucket.urn);
    }
    const bucketPaths = buckets.map((b) => `/buckets/${String(b.props.bucketId)}`);
    const routed = ofType(resources, GCP.logSink).some((sink) =>
      bucketPaths.some((path) => String(sink.props.destination).endsWith(path)),
    );
    for (const run of ofType(resources, GCP.run)) {
      if (!routed) report(`${label(run)} logs to no bucket of the stack (no sink routes to one)`, run.urn);
    }
  },
};
