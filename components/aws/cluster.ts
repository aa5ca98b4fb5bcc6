import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster, ClusterArgs } from "../api/cluster.js";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { type AccessLogBucket, createAccessLogBucket } from "./access-logs.js";
import {
  type AwsClusterAttachment,
  AwsContainerService,
  type AwsContainerServiceTransforms,
} from "./container-service.js";
import { AWS_NAMES } from "./names.js";
import type { AwsPlacement } from "./settings.js";

export interface AwsClusterArgs extends ClusterArgs, AwsPlacement {
  /**
   * ACM certificate (same region) for `domain`: with it the public load balancer serves HTTPS
   * on 443 and HTTP on 80 only redirects.
   * @default none
   */
  readonly certificateArn?: string;
  /**
   * Without a certificate, serve plain HTTP on the load balancer's own address instead of
   * refusing to build: a development stack only.
   * @default false
   */
  readonly allowPlainHttp?: boolean;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly cluster?: Transform<aws.ecs.ClusterArgs>;
    readonly publicLoadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    readonly internalLoadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    /** Applied to every service added to this cluster. */
    readonly service?: AwsContainerServiceTransforms;
  };
}

/**
 * An ECS cluster with two load balancers: an internet-facing one in the public subnets that
 * only the public service joins, and an internal one in the private subnets through which
 * services reach each other. Both health-check targets on their readiness path and write
 * access logs to the cluster's encrypted log bucket.
 */
export class AwsCluster extends pulumi.ComponentResource implements Cluster {
  readonly clusterName: pulumi.Output<string>;
  readonly publicUrl: pulumi.Output<string>;
  private readonly attachment: AwsClusterAttachment;

  constructor(
    private readonly name: string,
    private readonly args: AwsClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:aws:Cluster", name, {}, opts);
    const cluster = new aws.ecs.Cluster(
      ...transformed(
        args.transform?.cluster,
        `${name}-cluster`,
        { settings: [{ name: "containerInsights", value: "enabled" }] },
        { parent: this },
      ),
    );
    const publicSg = this.securityGroup("public-lb", "internet-facing load balancer");
    const internalSg = this.securityGroup("internal-lb", "internal load balancer");
    const servicesSg = this.securityGroup("services", "service tasks");
    this.allowEgress(servicesSg, "services");
    this.allowEgressToVpc(publicSg, "public-lb");
    this.allowEgressToVpc(internalSg, "internal-lb");
    const accessLogs = createAccessLogBucket(name, args.region, DEFAULTS.logRetentionDays, this);

    const publicLb = this.loadBalancer(
      "public",
      publicSg,
      args.network.publicSubnetIds,
      accessLogs,
      args.transform?.publicLoadBalancer,
    );
    const internalLb = this.loadBalancer(
      "internal",
      internalSg,
      args.network.privateSubnetIds,
      accessLogs,
      args.transform?.internalLoadBalancer,
    );
    const { listener, url } = this.createPublicListeners(publicLb, publicSg);

    this.clusterName = cluster.name;
    this.publicUrl = url;
    this.attachment = {
      region: args.region,
      network: args.network,
      cluster,
      servicesSecurityGroup: servicesSg,
      publicListener: listener,
      publicUrl: url,
      publicLoadBalancerSecurityGroup: publicSg,
      internalLoadBalancer: internalLb,
      internalLoadBalancerSecurityGroup: internalSg,
    };
    this.registerOutputs({ clusterName: this.clusterName, publicUrl: this.publicUrl });
  }

  addService(name: string, args: ContainerServiceArgs): ContainerService {
    return new AwsContainerService(
      name,
      { ...args, attachment: this.attachment, transform: this.args.transform?.service },
      { parent: this },
    );
  }

  private securityGroup(role: string, what: string): aws.ec2.SecurityGroup {
    // Rules are separate resources so services can add their own port without replacing the group.
    return new aws.ec2.SecurityGroup(
      `${this.name}-${role}`,
      { vpcId: this.args.network.networkId, description: `${this.name} ${what}` },
      { parent: this },
    );
  }

  private allowEgress(group: aws.ec2.SecurityGroup, role: string): void {
    new aws.vpc.SecurityGroupEgressRule(
      `${this.name}-${role}-egress`,
      {
        securityGroupId: group.id,
        ipProtocol: "-1",
        cidrIpv4: "0.0.0.0/0",
        description: "AWS APIs through NAT, data services",
      },
      { parent: this },
    );
  }

  private allowEgressToVpc(group: aws.ec2.SecurityGroup, role: string): void {
    new aws.vpc.SecurityGroupEgressRule(
      `${this.name}-${role}-egress`,
      {
        securityGroupId: group.id,
        ipProtocol: "tcp",
        fromPort: 1024,
        toPort: 65_535,
        cidrIpv4: this.args.network.cidr,
      },
      { parent: this },
    );
  }

  private loadBalancer(
    kind: "public" | "internal",
    group: aws.ec2.SecurityGroup,
    subnets: pulumi.Output<string>[],
    accessLogs: AccessLogBucket,
    transform: Transform<aws.lb.LoadBalancerArgs> | undefined,
  ): aws.lb.LoadBalancer {
    return new aws.lb.LoadBalancer(
      ...transformed(
        transform,
        `${this.name}-${kind}`,
        {
          name: physicalName(AWS_NAMES.loadBalancer, this.name, kind),
          loadBalancerType: "application",
          internal: kind === "internal",
          securityGroups: [group.id],
          subnets,
          dropInvalidHeaderFields: true,
          accessLogs: { bucket: accessLogs.bucket.bucket, prefix: kind, enabled: true },
        },
        { parent: this, dependsOn: [accessLogs.writable] },
      ),
    );
  }

  /**
   * HTTPS on 443 with HTTP redirected to it when a certificate is given. Without one (the ALB's
   * own DNS name has no certificate) plain HTTP on 80 only if the stack opts in, with a warning;
   * otherwise the stack stops here rather than put logins on the wire unencrypted. Unmatched
   * paths answer 404 until the public service adds its rule.
   */
  private createPublicListeners(lb: aws.lb.LoadBalancer, group: aws.ec2.SecurityGroup) {
    const certificate = this.args.domain ? this.args.certificateArn : undefined;
    if (!certificate && this.args.allowPlainHttp !== true) {
      throw new Error(
        `[taskflow] [aws] cluster "${this.name}": the public load balancer has no certificate, so it would serve plain HTTP; ` +
          "set taskflow:domain and taskflow:certificateArn (an ACM certificate for that domain) for HTTPS, " +
          "or `pulumi config set taskflow:allowPlainHttp true` to accept plain HTTP (a development stack only)",
      );
    }
    const notFound = [
      {
        type: "fixed-response",
        fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" },
      },
    ];
    const open = (port: number) =>
      new aws.vpc.SecurityGroupIngressRule(
        `${this.name}-public-lb-${port}`,
        { securityGroupId: group.id, ipProtocol: "tcp", fromPort: port, toPort: port, cidrIpv4: "0.0.0.0/0" },
        { parent: this },
      );
    open(DEFAULTS.publicPorts.http);
    if (!certificate) {
      pulumi.log.warn(
        `taskflow:allowPlainHttp is true: the gateway answers over plain HTTP on port ${DEFAULTS.publicPorts.http}, so passwords and tokens cross the internet unencrypted; set taskflow:domain and taskflow:certificateArn for HTTPS`,
        this,
      );
      const listener = new aws.lb.Listener(
        `${this.name}-http`,
        { loadBalancerArn: lb.arn, port: DEFAULTS.publicPorts.http, protocol: "HTTP", defaultActions: notFound },
        { parent: this },
      );
      return { listener, url: pulumi.interpolate`http://${this.args.domain?.name ?? lb.dnsName}` };
    }
    open(DEFAULTS.publicPorts.https);
    new aws.lb.Listener(
      `${this.name}-http`,
      {
        loadBalancerArn: lb.arn,
        port: DEFAULTS.publicPorts.http,
        protocol: "HTTP",
        defaultActions: [
          {
            type: "redirect",
            redirect: { protocol: "HTTPS", port: String(DEFAULTS.publicPorts.https), statusCode: "HTTP_301" },
          },
        ],
      },
      { parent: this },
    );
    const listener = new aws.lb.Listener(
      `${this.name}-https`,
      {
        loadBalancerArn: lb.arn,
        port: DEFAULTS.publicPorts.https,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: certificate,
        defaultActions: notFound,
      },
      { parent: this },
    );
    return { listener, url: pulumi.interpolate`https://${this.args.domain?.name ?? lb.dnsName}` };
  }
}
