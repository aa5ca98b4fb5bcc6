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
   * A custom domain for the public service. `certificate` is a certificate the cloud holds for
   * it: an ACM certificate ARN on AWS (required there for HTTPS); on GCP it is unused, the
   * domain mapping provisions a managed certificate.
   * @default none: the cloud's own address (ALB DNS name over HTTP, run.app over HTTPS)
   */
  readonly domain?: { readonly name: string; readonly certificate?: string };
  /**
   * Where the public entry point needs a certificate for HTTPS (AWS), serve plain HTTP when none
   * is given instead of refusing to build: a development stack on the cloud's own address.
   * Read on AWS only: Cloud Run and Container Apps always serve HTTPS, and a Kubernetes ingress
   * takes its TLS from the target's own ingress settings.
   * @default false
   */
  readonly allowPlainHttp?: boolean;
}

export interface Cluster {
  readonly clusterName: pulumi.Output<string>;
  /** Creates a service in this cluster, as a child of the cluster. */
  addService(name: string, args: ContainerServiceArgs): ContainerService;
}
