import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { Cache, CacheArgs } from "../api/cache.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import type { GcpPlacement } from "./settings.js";
import { memorystoreSizeGb } from "./sizing.js";
import { memorystoreRedisVersion } from "./versions.js";

const READ_REPLICAS_MIN_GB = 5;

export interface GcpCacheArgs extends CacheArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly instance?: Transform<gcp.redis.InstanceArgs>;
  };
}

/**
 * Memorystore for Redis on the private services range: AUTH on, TLS with server
 * authentication, a standard-tier replica for failover. Memorystore generates the AUTH string.
 */
export class GcpCache extends pulumi.ComponentResource implements Cache {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  readonly tlsCaCertificate: pulumi.Output<string>;

  constructor(name: string, args: GcpCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:gcp:Cache", name, {}, opts);
    const replicas = args.replicas ?? DEFAULTS.cacheReplicas;
    const sizeGb = memorystoreSizeGb(args.memoryMb);
    if (replicas > 1 && sizeGb < READ_REPLICAS_MIN_GB) {
      throw new Error(
        `[taskflow] [gcp] cache "${name}": ${replicas} replicas need read replicas, which Memorystore offers from ${READ_REPLICAS_MIN_GB} GB; this cache is ${sizeGb} GB`,
      );
    }
    const instance = new gcp.redis.Instance(
      ...transformed(
        args.transform?.instance,
        `${name}-redis`,
        {
          name: physicalName(GCP_NAMES.redis, name),
          region: args.region,
          project: args.project,
          // Standard tier keeps one failover replica; more need read replicas, which Memorystore
          // offers only from 5 GB.
          tier: replicas > 0 ? "STANDARD_HA" : "BASIC",
          ...(replicas > 1 ? { replicaCount: replicas, readReplicasMode: "READ_REPLICAS_ENABLED" } : {}),
          memorySizeGb: sizeGb,
          redisVersion: memorystoreRedisVersion(args.engineVersion),
          authorizedNetwork: args.network.networkId,
          connectMode: "PRIVATE_SERVICE_ACCESS",
          authEnabled: true,
          transitEncryptionMode: "SERVER_AUTHENTICATION",
        },
        { parent: this, dependsOn: args.network.dataPlaneReady },
      ),
    );
    this.host = instance.host;
    this.serverName = instance.name;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`rediss://:${instance.authString}@${instance.host}:${instance.port}`,
    );
    // Memorystore's server certificate chains to a CA of the instance's own; without it the
    // client could not verify the server it sends the AUTH string to.
    this.tlsCaCertificate = instance.serverCaCerts.apply((certs) => certs.map((c) => c.cert).join("\n"));
    this.registerOutputs({ host: this.host, serverName: this.serverName });
  }
}
