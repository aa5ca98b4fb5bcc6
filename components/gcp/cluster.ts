import * as pulumi from "@pulumi/pulumi";
import type { Cluster, ClusterArgs } from "../api/cluster.js";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { GcpContainerService, type GcpContainerServiceTransforms } from "./container-service.js";
import type { GcpPlacement } from "./settings.js";

export interface GcpClusterArgs extends ClusterArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    /** Applied to every service added to this cluster. */
    readonly service?: GcpContainerServiceTransforms;
  };
}

/**
 * Cloud Run has no cluster to create. This component is where services join the stack: it
 * names them under the stack's prefix (the log sink matches on it) and hands each the subnet
 * it egresses through and the custom domain.
 */
export class GcpCluster extends pulumi.ComponentResource implements Cluster {
  readonly clusterName: pulumi.Output<string>;
  private readonly project: string;

  constructor(
    private readonly name: string,
    private readonly args: GcpClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:gcp:Cluster", name, {}, opts);
    this.project = args.project;
    const subnet = args.network.privateSubnetIds[0];
    if (!subnet) throw new Error(`[taskflow] [gcp] cluster "${name}": the network has no subnet to egress through`);
    this.clusterName = pulumi.output(`cloud-run/${this.project}/${args.region}/${name}`);
    this.registerOutputs({ clusterName: this.clusterName });
  }

  addService(name: string, args: ContainerServiceArgs): ContainerService {
    return new GcpContainerService(
      name,
      {
        ...args,
        cloudRunName: `${this.name}-${args.service}`,
        region: this.args.region,
        project: this.project,
        networkId: this.args.network.networkId,
        subnetId: this.args.network.privateSubnetIds[0] as pulumi.Output<string>,
        domain: args.public ? this.args.domain?.name : undefined,
        transform: this.args.transform?.service,
      },
      { parent: this },
    );
  }
}
