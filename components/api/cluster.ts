import type * as pulumi from "@pulumi/pulumi";
import type { ContainerService, ContainerServiceArgs } from "./container-service.js";
import type { Network } from "./network.js";

/**
 * What container services share: where they run and how traffic reaches them. On AWS that is
 * an ECS cluster, a public and an internal load balancer and their security groups; Cloud Run
 * needs no cluster, so on GCP it holds the network the services egress through. Services are
 * added through the cluster so each cloud keeps its own wiring out of the shared arguments.
 */
export interface ClusterArgs {
  readonly network: Network;
  /**
   * A custom domain for the public service. How it gets a certificate is the target's own
   * business: an ACM certificate named in AWS's settings, a managed certificate on GCP and Azure,
   * cert-manager or a Secret on Kubernetes.
   * @default none: the target's own address (ALB DNS name over HTTP, run.app over HTTPS)
   */
  readonly domain?: { readonly name: string };
}

export interface Cluster {
  readonly clusterName: pulumi.Output<string>;
  /** Creates a service in this cluster, as a child of the cluster. */
  addService(name: string, args: ContainerServiceArgs): ContainerService;
}
