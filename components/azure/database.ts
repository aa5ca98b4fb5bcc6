import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as dbforpostgresql from "@pulumi/azure-native/dbforpostgresql/index.js";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Database, DatabaseArgs } from "../api/database.js";
import { DEFAULTS } from "../api/defaults.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES, globalName } from "./names.js";
import { requireAzureNetwork } from "./network.js";
import type { AzurePlacement } from "./placement.js";
import { azurePostgresCa } from "./postgres-ca.js";
import { AzureSecret } from "./secrets.js";
import { postgresSku, postgresStorageGb } from "./sizing.js";
import { flexibleServerVersion } from "./versions.js";

export interface AzureDatabaseArgs extends DatabaseArgs {
  readonly placement: AzurePlacement;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly server?: Transform<dbforpostgresql.ServerArgs>;
  };
}

export const AZURE_DATABASE_DEFAULTS = {
  /** General purpose, 2 vCores: the smallest size that can keep a zone-redundant standby. */
  instanceSize: "Standard_D2ds_v5",
  username: "taskflow",
} as const;

/** Server parameters the platform requires: TLS only, and every connection logged. */
export const SERVER_PARAMETERS = {
  require_secure_transport: "on",
  log_connections: "on",
  log_disconnections: "on",
} as const;

/**
 * Azure Database for PostgreSQL Flexible Server with private access only: it sits in its own
 * delegated subnet, resolves through a private DNS zone linked to the VNet and has no public
 * endpoint. TLS is required, connections are logged, a zone-redundant standby runs where the
 * size allows it, and the generated admin password is kept in Key Vault alone. Services verify
 * the server's certificate and host name (sslmode=verify-full) against the roots Azure uses.
 */
export class AzureDatabase extends pulumi.ComponentResource implements Database {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  /** The server's resource id: where a lock or a diagnostic setting attaches. */
  readonly serverId: pulumi.Output<string>;
  readonly tlsCaCertificate: pulumi.Output<string>;
  /** The Key Vault secret holding the admin password, for operators; no service reads it. */
  readonly adminPassword: AzureSecret;

  constructor(
    private readonly name: string,
    private readonly args: AzureDatabaseArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:azure:Database", name, {}, opts);
    const { placement } = args;
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    this.adminPassword = new AzureSecret(
      `${name}-admin-password`,
      { placement, value: password.result, description: "PostgreSQL admin password (operators only)" },
      { parent: this },
    );
    const server = this.createServer(password.result);
    this.lock(server);
    // Flexible Server applies one parameter change at a time, so each waits for the one before.
    let previous: pulumi.Resource = server;
    for (const [key, value] of Object.entries(SERVER_PARAMETERS)) {
      previous = new dbforpostgresql.Configuration(
        `${name}-${key.replace(/_/g, "-")}`,
        {
          configurationName: key,
          serverName: server.name,
          resourceGroupName: placement.resourceGroupName,
          value,
          source: "user-override",
        },
        { parent: this, dependsOn: [previous] },
      );
    }
    const database = new dbforpostgresql.Database(
      `${name}-db`,
      {
        databaseName: args.databaseName,
        serverName: server.name,
        resourceGroupName: placement.resourceGroupName,
        charset: "UTF8",
        collation: "en_US.utf8",
      },
      { parent: this },
    );

    this.host = server.fullyQualifiedDomainName;
    this.serverName = server.name;
    this.serverId = server.id;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgres://${AZURE_DATABASE_DEFAULTS.username}:${password.result}@${server.fullyQualifiedDomainName}:${DEFAULTS.databasePort}/${database.name}?sslmode=verify-full`,
    );
    this.tlsCaCertificate = pulumi.output(azurePostgresCa());
    this.registerOutputs({ host: this.host, serverName: this.serverName });
  }

  private createServer(password: pulumi.Output<string>): dbforpostgresql.Server {
    const { args } = this;
    const { placement } = args;
    const network = requireAzureNetwork(args.network, `database "${this.name}"`);
    const sku = postgresSku(args.instanceSize ?? AZURE_DATABASE_DEFAULTS.instanceSize);
    return new dbforpostgresql.Server(
      ...transformed(
        args.transform?.server,
        `${this.name}-server`,
        {
          serverName: globalName(AZURE_NAME_RULES.postgres, placement.suffix, this.name),
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          version: flexibleServerVersion(args.engineVersion),
          sku: { name: sku.name, tier: sku.tier },
          administratorLogin: AZURE_DATABASE_DEFAULTS.username,
          administratorLoginPassword: password,
          authConfig: { passwordAuth: "Enabled", activeDirectoryAuth: "Disabled" },
          storage: { storageSizeGB: postgresStorageGb(args.storageGb), autoGrow: "Enabled" },
          backup: { backupRetentionDays: args.backupRetentionDays, geoRedundantBackup: "Disabled" },
          highAvailability: { mode: sku.highAvailability },
          network: {
            delegatedSubnetResourceId: network.subnets.postgres,
            privateDnsZoneArmResourceId: network.dnsZones.postgres,
            publicNetworkAccess: "Disabled",
          },
        },
        { parent: this, dependsOn: network.dataPlaneReady },
      ),
    );
  }

  /** Azure's deletion protection: a CanNotDelete lock, which `pulumi destroy` stops at until it is removed. */
  private lock(server: dbforpostgresql.Server): void {
    if (!(this.args.deletionProtection ?? DEFAULTS.deletionProtection)) return;
    new authorization.ManagementLockByScope(
      `${this.name}-lock`,
      {
        scope: server.id,
        lockName: "taskflow-deletion-protection",
        level: "CanNotDelete",
        notes: "Set taskflow:deletionProtection false and run pulumi up before pulumi destroy",
      },
      { parent: this },
    );
  }
}
