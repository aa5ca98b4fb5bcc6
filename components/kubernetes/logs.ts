import * as pulumi from "@pulumi/pulumi";
import type { Logs, LogsArgs } from "../api/logs.js";

/**
 * Services log JSON to stdout; the cluster's log agent (CloudWatch Container Insights on EKS,
 * Container Insights on AKS, Cloud Logging on GKE, or any Fluent Bit) collects it, and
 * retention is that agent's setting. Each destination names the container's stream.
 */
export class KubernetesLogs extends pulumi.ComponentResource implements Logs {
  readonly destinations: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: LogsArgs & { readonly namespace: string }, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:kubernetes:Logs", name, {}, opts);
    this.destinations = Object.fromEntries(
      args.services.map((s) => [s, pulumi.output(`stdout://${args.namespace}/${args.appName}-${s}`)]),
    );
    this.registerOutputs({ destinations: this.destinations });
  }
}
