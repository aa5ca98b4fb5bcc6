import * as network from "@pulumi/azure-native/network/index.js";
import * as privatedns from "@pulumi/azure-native/privatedns/index.js";
import * as storage from "@pulumi/azure-native/storage/index.js";
import * as pulumi from "@pulumi/pulumi";
import { splitCidr } from "../api/cidr.js";
import { DEFAULTS } from "../api/defaults.js";
import type { Network, NetworkArgs } from "../api/network.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES, globalName } from "./names.js";
import type { AzurePlacement } from "./placement.js";

export interface AzureNetworkArgs extends NetworkArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly virtualNetwork?: Transform<network.VirtualNetworkArgs>;
    readonly subnet?: Transform<network.SubnetArgs>;
    readonly flowLog?: Transform<network.FlowLogArgs>;
    readonly flowLogStorage?: Transform<storage.StorageAccountArgs>;
  };
  /**
   * The Network Watcher that records the VNet's flows. A subscription has one per location, and
   * Azure creates it on the first VNet as NetworkWatcher_<location> in NetworkWatcherRG.
   * @default that one: { resourceGroupName: "NetworkWatcherRG", name: "NetworkWatcher_<location>" }
   */
  readonly networkWatcher?: { readonly resourceGroupName: string; readonly name: string };
}

/** Each subnet is a /23 of the range: Container Apps asks for at least that on its infrastructure subnet. */
const SUBNET_PREFIX = 23;

/** Private DNS zones: PostgreSQL's must end in its own suffix; Azure Managed Redis private endpoints resolve here. */
export const PRIVATE_DNS = {
  postgres: (name: string) => `${name}.private.postgres.database.azure.com`,
  redis: "privatelink.redis.azure.net",
} as const;

/**
 * A VNet with three subnets carved from the neutral range: the Container Apps environment's
 * (delegated to Microsoft.App/environments), the PostgreSQL server's (delegated to
 * Microsoft.DBforPostgreSQL/flexibleServers) and one for private endpoints. The private DNS
 * zones the data services resolve through are linked to the VNet, so their names resolve to
 * private addresses only from inside it. A VNet flow log records every flow of the VNet into a
 * storage account of the stack, kept as long as the stack keeps its logs.
 */
export class AzureNetwork extends pulumi.ComponentResource implements Network {
  readonly networkId: pulumi.Output<string>;
  readonly cidr: string;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[] = [];
  readonly dataPlaneReady: pulumi.Resource[];
  readonly subnets: {
    readonly apps: pulumi.Output<string>;
    readonly postgres: pulumi.Output<string>;
    readonly endpoints: pulumi.Output<string>;
  };
  readonly dnsZones: { readonly postgres: pulumi.Output<string>; readonly redis: pulumi.Output<string> };

  constructor(
    private readonly name: string,
    private readonly args: AzureNetworkArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:azure:Network", name, {}, opts);
    const { placement } = args;
    this.cidr = args.cidr ?? DEFAULTS.networkCidr;
    const [appsCidr, postgresCidr, endpointsCidr] = splitCidr(this.cidr, SUBNET_PREFIX, 3) as [string, string, string];

    const vnet = new network.VirtualNetwork(
      ...transformed(
        args.transform?.virtualNetwork,
        `${name}-vnet`,
        {
          virtualNetworkName: `${name}-vnet`,
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          addressSpace: { addressPrefixes: [this.cidr] },
        },
        // Subnets are their own resources; the VNet must not try to own them too.
        { parent: this, ignoreChanges: ["subnets"] },
      ),
    );
    const subnet = (role: string, cidr: string, delegation?: string, dependsOn: pulumi.Resource[] = []) =>
      new network.Subnet(
        ...transformed(
          args.transform?.subnet,
          `${name}-${role}`,
          {
            subnetName: role,
            virtualNetworkName: vnet.name,
            resourceGroupName: placement.resourceGroupName,
            addressPrefix: cidr,
            // No implicit internet egress for anything placed here without a route.
            defaultOutboundAccess: false,
            ...(delegation ? { delegations: [{ name: role, serviceName: delegation }] } : {}),
            ...(role === "endpoints" ? { privateEndpointNetworkPolicies: "Enabled" } : {}),
          },
          // Azure serialises writes to one VNet's subnets.
          { parent: this, dependsOn },
        ),
      );
    const apps = subnet("apps", appsCidr, "Microsoft.App/environments");
    const postgres = subnet("postgres", postgresCidr, "Microsoft.DBforPostgreSQL/flexibleServers", [apps]);
    const endpoints = subnet("endpoints", endpointsCidr, undefined, [postgres]);

    this.flowLog(vnet);
    const postgresZone = this.privateZone("postgres", PRIVATE_DNS.postgres(name), vnet);
    const redisZone = this.privateZone("redis", PRIVATE_DNS.redis, vnet);

    this.networkId = vnet.id;
    this.subnets = { apps: apps.id, postgres: postgres.id, endpoints: endpoints.id };
    this.privateSubnetIds = [apps.id, postgres.id, endpoints.id];
    this.dnsZones = { postgres: postgresZone.zone.id, redis: redisZone.zone.id };
    this.dataPlaneReady = [postgresZone.link, redisZone.link];
    this.registerOutputs({ networkId: this.networkId, privateSubnetIds: this.privateSubnetIds });
  }

  /** VNet flow logs (Network Watcher), the successor of NSG flow logs, which Azure no longer creates. */
  private flowLog(vnet: network.VirtualNetwork): void {
    const { placement } = this.args;
    const account = new storage.StorageAccount(
      ...transformed(
        this.args.transform?.flowLogStorage,
        `${this.name}-flow-logs`,
        {
          accountName: globalName(AZURE_NAME_RULES.storageAccount, placement.suffix, this.name, "flowlogs"),
          resourceGroupName: placement.resourceGroupName,
          // Flow logs must be written to an account in the VNet's own location.
          location: placement.location,
          kind: "StorageV2",
          sku: { name: "Standard_LRS" },
          minimumTlsVersion: "TLS1_2",
          enableHttpsTrafficOnly: true,
          allowBlobPublicAccess: false,
          // Network Watcher writes as a trusted Azure service; nothing else reaches the account.
          networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
        },
        { parent: this },
      ),
    );
    const watcher = this.args.networkWatcher ?? {
      resourceGroupName: "NetworkWatcherRG",
      name: `NetworkWatcher_${placement.location}`,
    };
    new network.FlowLog(
      ...transformed(
        this.args.transform?.flowLog,
        `${this.name}-flow-log`,
        {
          flowLogName: `${this.name}-vnet`,
          networkWatcherName: watcher.name,
          resourceGroupName: watcher.resourceGroupName,
          location: placement.location,
          targetResourceId: vnet.id,
          storageId: account.id,
          enabled: true,
          format: { type: "JSON", version: 2 },
          retentionPolicy: { enabled: true, days: DEFAULTS.logRetentionDays },
        },
        { parent: this },
      ),
    );
  }

  private privateZone(role: string, zoneName: string, vnet: network.VirtualNetwork) {
    const { placement } = this.args;
    const zone = new privatedns.PrivateZone(
      `${this.name}-${role}-dns`,
      { privateZoneName: zoneName, resourceGroupName: placement.resourceGroupName, location: "global" },
      { parent: this },
    );
    const link = new privatedns.VirtualNetworkLink(
      `${this.name}-${role}-dns-link`,
      {
        privateZoneName: zone.name,
        resourceGroupName: placement.resourceGroupName,
        virtualNetworkLinkName: `${this.name}-${role}`.slice(0, AZURE_NAME_RULES.resource.maxLength),
        location: "global",
        virtualNetwork: { id: vnet.id },
        registrationEnabled: false,
      },
      { parent: this },
    );
    return { zone, link };
  }
}

/** The components that place things on the network need Azure's own subnets and zones. */
export function requireAzureNetwork(value: Network, what: string): AzureNetwork {
  if (!(value instanceof AzureNetwork)) {
    throw new Error(`[taskflow] [azure] ${what}: the network was not built by components/azure/network.ts`);
  }
  return value;
}
