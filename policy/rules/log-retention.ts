import type { Rule } from "../rule.js";
import { at, json, label, list, ofType } from "../rule.js";
import { AWS, GCP } from "./types.js";

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
  types: { aws: [AWS.logGroup, AWS.taskDefinition], gcp: [GCP.logBucket, GCP.logSink, GCP.run] },
  notCheckable: {
    kubernetes:
      "Containers log to stdout; the cluster's log pipeline (outside the stack) decides how long lines are kept.",
  },
  remediationSteps:
    "Set retentionInDays on each CloudWatch log group and point each container's awslogs-group at one; set retentionDays on the log bucket and route the services' logs to it with a sink.",
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
