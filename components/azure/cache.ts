import * as network from "@pulumi/azure-native/network/index.js";
import * as redisenterprise from "@pulumi/azure-native/redisenterprise/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Cache, CacheArgs } from "../api/cache.js";
import { DEFAULTS } from "../api/defaults.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES, globalName } from "./names.js";
import { requireAzureNetwork } from "./network.js";
import type { AzurePlacement } from "./placement.js";
import { managedRedisSku } from "./sizing.js";
import { checkManagedRedisVersion } from "./versions.js";

export interface AzureCacheArgs extends CacheArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly cluster?: Transform<redisenterprise.RedisEnterpriseArgs>;
    readonly database?: Transform<redisenterprise.DatabaseArgs>;
  };
}

/** Azure Managed Redis listens for TLS clients on this port. */
export const MANAGED_REDIS_PORT = 10_000;

/**
 * The clustering policy, and why the Redis adapter needs nothing more for it: Enterprise
 * clustering puts a proxy in front of the shards, so clients see one endpoint (the adapter's
 * single connection) and never a MOVED redirect; a multi-key command must still keep its keys
 * in one hash slot, which the adapter ensures by splitting reads per slot (adapters/redis/slots.ts).
 * OSSCluster would need a cluster-aware client instead.
 */
export const CLUSTERING_POLICY = "EnterpriseCluster";

/**
 * Azure Managed Redis (redisenterprise): TLS 1.2 only, no public network access, reached
 * through a private endpoint in the VNet's endpoint subnet whose name resolves in the linked
 * private DNS zone. Clients authenticate with the database's access key, which reaches the
 * services only inside CACHE_URL, a Key Vault secret. Its certificate chains to a public root
 * Node trusts, so no CA is handed out.
 */
export class AzureCache extends pulumi.ComponentResource implements Cache {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;

  constructor(name: string, args: AzureCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super("taskflow:azure:Cache", name, {}, opts);
    const { placement } = args;
    const net = requireAzureNetwork(args.network, `cache "${name}"`);
    checkManagedRedisVersion(args.engineVersion);
    const replicas = args.replicas ?? DEFAULTS.cacheReplicas;
    if (replicas > 1) {
      throw new Error(
        `[taskflow] [azure] cache "${name}": Azure Managed Redis keeps one replica per shard (high availability); ${replicas} replicas cannot be had, set taskflow:cacheReplicas to 0 or 1`,
      );
    }
    const cluster = new redisenterprise.RedisEnterprise(
      ...transformed(
        args.transform?.cluster,
        `${name}-redis`,
        {
          clusterName: globalName(AZURE_NAME_RULES.redis, placement.suffix, name),
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          sku: { name: managedRedisSku(args.memoryMb) },
          minimumTlsVersion: "1.2",
          highAvailability: replicas > 0 ? "Enabled" : "Disabled",
          publicNetworkAccess: "Disabled",
        },
        { parent: this },
      ),
    );
    const database = new redisenterprise.Database(
      ...transformed(
        args.transform?.database,
        `${name}-database`,
        {
          // Azure Managed Redis has exactly one database per cluster, and it must be called "default".
          databaseName: "default",
          clusterName: cluster.name,
          resourceGroupName: placement.resourceGroupName,
          clientProtocol: "Encrypted",
          clusteringPolicy: CLUSTERING_POLICY,
          evictionPolicy: "VolatileLRU",
          port: MANAGED_REDIS_PORT,
          accessKeysAuthentication: "Enabled",
        },
        { parent: this },
      ),
    );
    const endpoint = new network.PrivateEndpoint(
      `${name}-endpoint`,
      {
        privateEndpointName: `${name}-endpoint`,
        resourceGroupName: placement.resourceGroupName,
        location: placement.location,
        subnet: { id: net.subnets.endpoints },
        privateLinkServiceConnections: [
          { name: `${name}-redis`, privateLinkServiceId: cluster.id, groupIds: ["redisEnterprise"] },
        ],
      },
      { parent: this, dependsOn: net.dataPlaneReady },
    );
    new network.PrivateDnsZoneGroup(
      `${name}-endpoint-dns`,
      {
        privateEndpointName: endpoint.name,
        resourceGroupName: placement.resourceGroupName,
        privateDnsZoneGroupName: "default",
        privateDnsZoneConfigs: [{ name: "redis", privateDnsZoneId: net.dnsZones.redis }],
      },
      { parent: this },
    );
    const keys = redisenterprise.listDatabaseKeysOutput(
      { clusterName: cluster.name, databaseName: database.name, resourceGroupName: placement.resourceGroupName },
      { parent: this },
    );

    this.host = cluster.hostName;
    this.serverName = cluster.name;
    this.connectionUrl = pulumi.secret(
      // Access keys are base64, whose "/" and "+" would break the URL unescaped.
      pulumi.interpolate`rediss://:${keys.primaryKey.apply(encodeURIComponent)}@${cluster.hostName}:${MANAGED_REDIS_PORT}`,
    );
    this.registerOutputs({ host: this.host, serverName: this.serverName });
  }
}
