import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { splitCidr } from "../api/cidr.js";
import { DEFAULTS } from "../api/defaults.js";
import type { Network, NetworkArgs } from "../api/network.js";
import { type Transform, transformed } from "../api/transform.js";
import type { AwsPlacement } from "./settings.js";

export interface AwsNetworkArgs extends NetworkArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly vpc?: Transform<aws.ec2.VpcArgs>;
    readonly publicSubnet?: Transform<aws.ec2.SubnetArgs>;
    readonly privateSubnet?: Transform<aws.ec2.SubnetArgs>;
    readonly natGateway?: Transform<aws.ec2.NatGatewayArgs>;
  };
}

/** Public /20 blocks come first, private ones after, so adding a zone never renumbers a subnet. */
const SUBNET_PREFIX = 20;
const MAX_ZONES = 4;

/**
 * A VPC over two or more zones: a public subnet per zone for the load balancer and NAT, a
 * private subnet per zone for containers and data services, private egress through NAT.
 */
export class AwsNetwork extends pulumi.ComponentResource implements Network {
  readonly networkId: pulumi.Output<string>;
  readonly cidr: string;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly dataPlaneReady: pulumi.Resource[];
  readonly zones: readonly string[];
  /**
   * Membership groups, with no rules of their own: the database's and the cache's security
   * groups admit exactly the members of these, and a service joins the ones it connects to.
   */
  readonly clientSecurityGroups: { readonly database: aws.ec2.SecurityGroup; readonly cache: aws.ec2.SecurityGroup };

  constructor(
    private readonly name: string,
    private readonly args: AwsNetworkArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:aws:Network", name, {}, opts);
    this.cidr = args.cidr ?? DEFAULTS.networkCidr;
    this.zones = resolveZones(args);
    const blocks = splitCidr(this.cidr, SUBNET_PREFIX, 2 * MAX_ZONES);

    const vpc = this.createVpc();
    const gateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id }, { parent: this });
    const publicSubnets = this.zones.map((zone, i) => this.createSubnet("public", vpc, zone, blocks[i] as string, i));
    const privateSubnets = this.zones.map((zone, i) =>
      this.createSubnet("private", vpc, zone, blocks[MAX_ZONES + i] as string, i),
    );
    this.routePublic(vpc, gateway, publicSubnets);
    const nats = this.createNatGateways(publicSubnets, gateway);
    this.routePrivate(vpc, privateSubnets, nats);
    this.createFlowLog(vpc);
    this.clientSecurityGroups = {
      database: this.createClientGroup(vpc, "database"),
      cache: this.createClientGroup(vpc, "cache"),
    };

    this.networkId = vpc.id;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.dataPlaneReady = nats;
    this.registerOutputs({ networkId: this.networkId, privateSubnetIds: this.privateSubnetIds });
  }

  private createVpc(): aws.ec2.Vpc {
    return new aws.ec2.Vpc(
      ...transformed(
        this.args.transform?.vpc,
        `${this.name}-vpc`,
        { cidrBlock: this.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: this.name } },
        { parent: this },
      ),
    );
  }

  private createSubnet(kind: "public" | "private", vpc: aws.ec2.Vpc, zone: string, cidr: string, index: number) {
    return new aws.ec2.Subnet(
      ...transformed(
        kind === "public" ? this.args.transform?.publicSubnet : this.args.transform?.privateSubnet,
        `${this.name}-${kind}-${index}`,
        {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: cidr,
          // Only the public subnets hand out public addresses; nothing in a private one is reachable from outside.
          mapPublicIpOnLaunch: kind === "public",
          tags: { Name: `${this.name}-${kind}-${zone}`, "taskflow:tier": kind },
        },
        { parent: this },
      ),
    );
  }

  private routePublic(vpc: aws.ec2.Vpc, gateway: aws.ec2.InternetGateway, subnets: aws.ec2.Subnet[]): void {
    const table = new aws.ec2.RouteTable(
      `${this.name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] },
      { parent: this },
    );
    subnets.forEach((subnet, i) => {
      new aws.ec2.RouteTableAssociation(
        `${this.name}-public-${i}`,
        { subnetId: subnet.id, routeTableId: table.id },
        { parent: this },
      );
    });
  }

  private createNatGateways(publicSubnets: aws.ec2.Subnet[], gateway: aws.ec2.InternetGateway): aws.ec2.NatGateway[] {
    const count = (this.args.highAvailabilityNat ?? DEFAULTS.highAvailabilityNat) ? publicSubnets.length : 1;
    return publicSubnets.slice(0, count).map((subnet, i) => {
      const ip = new aws.ec2.Eip(`${this.name}-nat-${i}`, { domain: "vpc" }, { parent: this, dependsOn: [gateway] });
      return new aws.ec2.NatGateway(
        ...transformed(
          this.args.transform?.natGateway,
          `${this.name}-nat-${i}`,
          { subnetId: subnet.id, allocationId: ip.id, connectivityType: "public" },
          { parent: this },
        ),
      );
    });
  }

  private routePrivate(vpc: aws.ec2.Vpc, subnets: aws.ec2.Subnet[], nats: aws.ec2.NatGateway[]): void {
    subnets.forEach((subnet, i) => {
      const nat = nats[i % nats.length] as aws.ec2.NatGateway;
      const table = new aws.ec2.RouteTable(
        `${this.name}-private-${i}`,
        { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${this.name}-private-${i}`,
        { subnetId: subnet.id, routeTableId: table.id },
        { parent: this },
      );
    });
  }

  private createClientGroup(vpc: aws.ec2.Vpc, service: "database" | "cache"): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      `${this.name}-${service}-clients`,
      { vpcId: vpc.id, description: `${this.name}: members may connect to the ${service}` },
      { parent: this },
    );
  }

  /** Every accepted and rejected flow of the VPC goes to a CloudWatch log group with a retention. */
  private createFlowLog(vpc: aws.ec2.Vpc): void {
    const group = new aws.cloudwatch.LogGroup(
      `${this.name}-flow-logs`,
      { namePrefix: `/taskflow/${this.name}/flow-logs-`, retentionInDays: DEFAULTS.logRetentionDays },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${this.name}-flow-logs`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${this.name}-flow-logs`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [group.arn, pulumi.interpolate`${group.arn}:*`],
            },
          ],
        }),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      `${this.name}-flow-log`,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: group.arn,
        iamRoleArn: role.arn,
      },
      { parent: this },
    );
  }
}

/** The network as AWS components need it; one built by another cloud's components is refused. */
export function requireAwsNetwork(value: Network, what: string): AwsNetwork {
  if (!(value instanceof AwsNetwork)) {
    throw new Error(`[taskflow] [aws] ${what}: the network was not built by components/aws/network.ts`);
  }
  return value;
}

/** The zones given, or the region's first ones by AWS's letter naming (`eu-west-1a`, `eu-west-1b`). */
export function resolveZones(args: NetworkArgs & AwsPlacement): readonly string[] {
  const zones = args.zones && args.zones.length > 0 ? args.zones : undefined;
  const resolved = zones ?? Array.from({ length: DEFAULTS.zoneCount }, (_, i) => `${args.region}${"abcd"[i]}`);
  if (resolved.length < 2 || resolved.length > MAX_ZONES) {
    throw new Error(
      `[taskflow] [aws] network "${args.region}": give 2 to ${MAX_ZONES} zones, got ${resolved.length} (${resolved.join(", ")})`,
    );
  }
  return resolved;
}
