import type { Rule } from "../rule.js";
import { at, json, label, list, ofType } from "../rule.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

/** Instances one service may scale to; a runaway bound is a bill, not a capacity plan. */
export const MAX_INSTANCES = 100;

/**
 * Every service has a liveness and a readiness check and autoscaling between a floor of at least
 * one instance and a bounded ceiling. ECS: the container health check is liveness, the target
 * group's HTTP check is readiness, an Application Auto Scaling target holds the bounds. Cloud Run:
 * the startup and liveness probes, and template.scaling.
 */
export const healthAndScaling: Rule = {
  name: "service-probes-and-scaling",
  description: `Every service has liveness and readiness checks and autoscaling bounds (1 <= min <= max <= ${MAX_INSTANCES}).`,
  severity: "medium",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.ecsService, AWS.taskDefinition, AWS.targetGroup, AWS.scalingTarget],
    gcp: [GCP.run],
    kubernetes: [K8S.deployment, K8S.hpa],
    azure: [AZURE.containerApp],
  },
  remediationSteps:
    "Give each container a health check and each service a load-balancer health check path and an autoscaling target (ECS), or startup and liveness probes and scaling bounds (Cloud Run), or Liveness and Readiness probes and template.scale minReplicas/maxReplicas (Container Apps).",
  validateStack: ({ resources }, report) => {
    const bounded = (min: number, max: number) => min >= 1 && max >= min && max <= MAX_INSTANCES;
    const tasks = new Map(ofType(resources, AWS.taskDefinition).map((t) => [String(t.props.arn), t]));
    const groups = new Map(ofType(resources, AWS.targetGroup).map((g) => [String(g.props.arn), g]));
    const targets = ofType(resources, AWS.scalingTarget);
    for (const service of ofType(resources, AWS.ecsService)) {
      const task = tasks.get(String(service.props.taskDefinition));
      const containers = list(json(task?.props.containerDefinitions));
      if (containers.length === 0 || containers.some((c) => list(at(c, "healthCheck", "command")).length === 0))
        report(`${label(service)} runs a container without a health check (liveness)`, service.urn);
      const balanced = list(service.props.loadBalancers).map((lb) => groups.get(String(at(lb, "targetGroupArn"))));
      if (balanced.length === 0 || balanced.some((g) => !at(g?.props, "healthCheck", "path")))
        report(`${label(service)} has no load-balancer health check path (readiness)`, service.urn);
      const target = targets.find((t) => String(t.props.resourceId).endsWith(`/${String(service.props.name)}`));
      if (!target) report(`${label(service)} has no autoscaling target`, service.urn);
      else if (!bounded(Number(target.props.minCapacity), Number(target.props.maxCapacity)))
        report(
          `${label(service)} scales ${String(target.props.minCapacity)}-${String(target.props.maxCapacity)}, outside 1-${MAX_INSTANCES}`,
          service.urn,
        );
    }
    const hpas = ofType(resources, K8S.hpa);
    for (const deployment of ofType(resources, K8S.deployment)) {
      const containers = list(at(deployment.props, "spec", "template", "spec", "containers"));
      if (containers.length === 0 || containers.some((c) => !at(c, "livenessProbe")))
        report(`${label(deployment)} runs a container without a liveness probe`, deployment.urn);
      if (containers.length === 0 || containers.some((c) => !at(c, "readinessProbe")))
        report(`${label(deployment)} runs a container without a readiness probe`, deployment.urn);
      const name = at(deployment.props, "metadata", "name");
      const hpa = hpas.find((h) => at(h.props, "spec", "scaleTargetRef", "name") === name);
      if (!hpa) report(`${label(deployment)} has no HorizontalPodAutoscaler`, deployment.urn);
      else {
        const min = Number(at(hpa.props, "spec", "minReplicas") ?? 1);
        const max = Number(at(hpa.props, "spec", "maxReplicas"));
        if (!bounded(min, max))
          report(`${label(deployment)} scales ${min}-${max}, outside 1-${MAX_INSTANCES}`, deployment.urn);
      }
    }
    for (const app of ofType(resources, AZURE.containerApp)) {
      const containers = list(at(app.props, "template", "containers"));
      const has = (type: string) =>
        containers.length > 0 && containers.every((c) => list(at(c, "probes")).some((p) => at(p, "type") === type));
      if (!has("Liveness")) report(`${label(app)} runs a container without a liveness probe`, app.urn);
      if (!has("Readiness")) report(`${label(app)} runs a container without a readiness probe`, app.urn);
      const scale = at(app.props, "template", "scale");
      // Container Apps defaults to 0-10 replicas when scale is unset: a floor of zero.
      const min = Number(at(scale, "minReplicas") ?? 0);
      const max = Number(at(scale, "maxReplicas") ?? 10);
      if (!bounded(min, max)) report(`${label(app)} scales ${min}-${max}, outside 1-${MAX_INSTANCES}`, app.urn);
    }
    for (const run of ofType(resources, GCP.run)) {
      const containers = list(at(run.props, "template", "containers"));
      if (containers.length === 0 || containers.some((c) => !at(c, "livenessProbe")))
        report(`${label(run)} runs a container without a liveness probe`, run.urn);
      if (containers.length === 0 || containers.some((c) => !at(c, "startupProbe") && !at(c, "readinessProbe")))
        report(`${label(run)} runs a container without a startup or readiness probe`, run.urn);
      const scaling = at(run.props, "template", "scaling");
      if (
        !bounded(
          Number(at(scaling, "minInstanceCount") ?? 0),
          Number(at(scaling, "maxInstanceCount") ?? Number.POSITIVE_INFINITY),
        )
      )
        report(
          `${label(run)} scales ${String(at(scaling, "minInstanceCount") ?? 0)}-${String(at(scaling, "maxInstanceCount") ?? "unbounded")}, outside 1-${MAX_INSTANCES}`,
          run.urn,
        );
    }
  },
};
