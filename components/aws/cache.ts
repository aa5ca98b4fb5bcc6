import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Cache, CacheArgs } from "../api/cache.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { AWS_NAMES } from "./names.js";
import { requireAwsNetwork } from "./network.js";
import type { AwsPlacement } from "./settings.js";
import { elastiCacheNodeType } from "./sizing.js";
import { elastiCacheEngineVersion } from "./versions.js";

export interface AwsCacheArgs extends CacheArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    readonly subnetGroup?: Transform<aws.elasticache.SubnetGroupArgs>;
    readonly replicationGroup?: Transform<aws.elasticache.ReplicationGroupArgs>;
  };
}

/**
 * An ElastiCache Redis replication group in the private subnets: AUTH token, TLS in transit,
 * encryption at rest, a replica in another zone with automatic failover.
 */
export class AwsCache extends pulumi.ComponentResource implements Cache {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: AwsCacheArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:aws:Cache", name, {}, opts);
    // ElastiCache auth tokens take printable characters except '/', '"' and '@'; letters and digits keep the URL plain.
    const token = new random.RandomPassword(`${name}-auth`, { length: 48, special: false }, { parent: this });
    const securityGroup = this.createSecurityGroup();
    const subnetGroup = new aws.elasticache.SubnetGroup(
      ...transformed(
        args.transform?.subnetGroup,
        `${name}-subnets`,
        { subnetIds: args.network.privateSubnetIds, description: `${name} private subnets` },
        { parent: this },
      ),
    );
    const group = this.createReplicationGroup(token, securityGroup, subnetGroup);

    this.host = group.primaryEndpointAddress;
    this.serverName = group.replicationGroupId;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`rediss://:${token.result}@${group.primaryEndpointAddress}:${group.port}`,
    );
    this.registerOutputs({ host: this.host, serverName: this.serverName });
  }

  private createSecurityGroup(): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      ...transformed(
        this.args.transform?.securityGroup,
        `${this.name}-sg`,
        {
          vpcId: this.args.network.networkId,
          description: "Redis from the cache's client group only",
          ingress: [
            {
              protocol: "tcp",
              fromPort: DEFAULTS.cachePort,
              toPort: DEFAULTS.cachePort,
              securityGroups: [requireAwsNetwork(this.args.network, this.name).clientSecurityGroups.cache.id],
            },
          ],
        },
        { parent: this },
      ),
    );
  }

  private createReplicationGroup(
    token: random.RandomPassword,
    securityGroup: aws.ec2.SecurityGroup,
    subnetGroup: aws.elasticache.SubnetGroup,
  ): aws.elasticache.ReplicationGroup {
    const replicas = this.args.replicas ?? DEFAULTS.cacheReplicas;
    return new aws.elasticache.ReplicationGroup(
      ...transformed(
        this.args.transform?.replicationGroup,
        `${this.name}-redis`,
        {
          replicationGroupId: physicalName(AWS_NAMES.cache, this.name),
          description: `${this.name} cache`,
          engine: "redis",
          engineVersion: elastiCacheEngineVersion(this.args.engineVersion),
          nodeType: elastiCacheNodeType(this.args.memoryMb),
          numCacheClusters: 1 + replicas,
          automaticFailoverEnabled: replicas > 0,
          multiAzEnabled: replicas > 0,
          port: DEFAULTS.cachePort,
          subnetGroupName: subnetGroup.name,
          securityGroupIds: [securityGroup.id],
          transitEncryptionEnabled: true,
          atRestEncryptionEnabled: true,
          authToken: token.result,
          snapshotRetentionLimit: 1,
        },
        { parent: this, dependsOn: this.args.network.dataPlaneReady },
      ),
    );
  }
}
