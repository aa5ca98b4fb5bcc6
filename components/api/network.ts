import type * as pulumi from "@pulumi/pulumi";

/** A private network for the data services and the containers that reach them. */
export interface NetworkArgs {
  /**
   * The network's address range; subnets are carved from it.
   * @default DEFAULTS.networkCidr ("10.0.0.0/16")
   */
  readonly cidr?: string;
  /**
   * Zones to spread subnets over. Empty means the region's first `DEFAULTS.zoneCount` zones.
   * @default []
   */
  readonly zones?: readonly string[];
  /**
   * One NAT per zone instead of one for the network (more cost, no single point of failure).
   * @default DEFAULTS.highAvailabilityNat (false)
   */
  readonly highAvailabilityNat?: boolean;
}

export interface Network {
  /** The VPC id (AWS) or network id (GCP). */
  readonly networkId: pulumi.Output<string>;
  readonly cidr: string;
  /** Subnets with no route from the internet: data services and containers live here. */
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** Subnets for internet-facing load balancers; empty where the cloud needs none (GCP). */
  readonly publicSubnetIds: pulumi.Output<string>[];
  /**
   * Resources that must exist before a data service attaches to the network: GCP's private
   * services connection, AWS's NAT gateways. Data components depend on them.
   */
  readonly dataPlaneReady: pulumi.Resource[];
}
