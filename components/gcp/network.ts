import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { splitCidr } from "../api/cidr.js";
import { DEFAULTS } from "../api/defaults.js";
import type { Network, NetworkArgs } from "../api/network.js";
import { type Transform, transformed } from "../api/transform.js";
import type { GcpPlacement } from "./settings.js";

export interface GcpNetworkArgs extends NetworkArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly network?: Transform<gcp.compute.NetworkArgs>;
    readonly subnetwork?: Transform<gcp.compute.SubnetworkArgs>;
    readonly privateServicesRange?: Transform<gcp.compute.GlobalAddressArgs>;
    readonly routerNat?: Transform<gcp.compute.RouterNatArgs>;
  };
}

/** The services' subnet takes the first /20 of the range; private services access gets its own /16 beside it. */
const SUBNET_PREFIX = 20;
const PRIVATE_SERVICES_PREFIX = 16;

/**
 * A custom-mode VPC: one regional subnet that Cloud Run egresses through (private Google
 * access on), a range peered to Google's service producers so Cloud SQL and Memorystore get
 * private addresses only, and Cloud NAT for outbound traffic without public IPs.
 */
export class GcpNetwork extends pulumi.ComponentResource implements Network {
  readonly networkId: pulumi.Output<string>;
  readonly cidr: string;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[] = [];
  readonly dataPlaneReady: pulumi.Resource[];

  constructor(
    private readonly name: string,
    private readonly args: GcpNetworkArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:gcp:Network", name, {}, opts);
    this.cidr = args.cidr ?? DEFAULTS.networkCidr;
    const [subnetCidr] = splitCidr(this.cidr, SUBNET_PREFIX, 1);

    const network = new gcp.compute.Network(
      ...transformed(
        args.transform?.network,
        `${name}-vpc`,
        { autoCreateSubnetworks: false, routingMode: "REGIONAL", project: args.project },
        { parent: this },
      ),
    );
    const subnet = new gcp.compute.Subnetwork(
      ...transformed(
        args.transform?.subnetwork,
        `${name}-services`,
        {
          network: network.id,
          region: args.region,
          project: args.project,
          ipCidrRange: subnetCidr as string,
          privateIpGoogleAccess: true,
          logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
        },
        { parent: this },
      ),
    );
    const connection = this.createPrivateServicesAccess(network);
    this.createNat(network);

    this.networkId = network.id;
    this.privateSubnetIds = [subnet.id];
    this.dataPlaneReady = [connection];
    this.registerOutputs({ networkId: this.networkId, privateSubnetIds: this.privateSubnetIds });
  }

  /** Cloud SQL and Memorystore take addresses from this peered range; they never get a public one. */
  private createPrivateServicesAccess(network: gcp.compute.Network): gcp.servicenetworking.Connection {
    const range = new gcp.compute.GlobalAddress(
      ...transformed(
        this.args.transform?.privateServicesRange,
        `${this.name}-private-services`,
        {
          network: network.id,
          project: this.args.project,
          purpose: "VPC_PEERING",
          addressType: "INTERNAL",
          prefixLength: PRIVATE_SERVICES_PREFIX,
        },
        { parent: this },
      ),
    );
    return new gcp.servicenetworking.Connection(
      `${this.name}-private-services`,
      { network: network.id, service: "servicenetworking.googleapis.com", reservedPeeringRanges: [range.name] },
      { parent: this },
    );
  }

  private createNat(network: gcp.compute.Network): void {
    const router = new gcp.compute.Router(
      `${this.name}-router`,
      { network: network.id, region: this.args.region, project: this.args.project },
      { parent: this },
    );
    new gcp.compute.RouterNat(
      ...transformed(
        this.args.transform?.routerNat,
        `${this.name}-nat`,
        {
          router: router.name,
          region: this.args.region,
          project: this.args.project,
          natIpAllocateOption: "AUTO_ONLY",
          sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
          logConfig: { enable: true, filter: "ERRORS_ONLY" },
        },
        { parent: this },
      ),
    );
  }
}
