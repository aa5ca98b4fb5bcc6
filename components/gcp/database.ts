import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Database, DatabaseArgs } from "../api/database.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import type { GcpPlacement } from "./settings.js";
import { cloudSqlPostgresVersion } from "./versions.js";

export interface GcpDatabaseArgs extends DatabaseArgs, GcpPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly instance?: Transform<gcp.sql.DatabaseInstanceArgs>;
    readonly user?: Transform<gcp.sql.UserArgs>;
  };
}

export const GCP_DATABASE_DEFAULTS = {
  instanceSize: "db-custom-1-3840",
  username: "taskflow",
} as const;

/**
 * Cloud SQL PostgreSQL on a private IP only (no public IPv4, so no authorised network can
 * open it), TLS required, regional high availability, daily backups with point-in-time recovery,
 * connections and disconnections logged, schema and role changes audited with pgaudit.
 * Services check the server's certificate against the instance's own CA (sslmode=verify-ca: the
 * certificate names the instance, not the private IP they dial).
 */
export class GcpDatabase extends pulumi.ComponentResource implements Database {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  readonly tlsCaCertificate: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: GcpDatabaseArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:gcp:Database", name, {}, opts);
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
    const instance = this.createInstance();
    const database = new gcp.sql.Database(
      `${name}-db`,
      { instance: instance.name, name: args.databaseName, project: args.project },
      { parent: this },
    );
    const user = new gcp.sql.User(
      ...transformed(
        args.transform?.user,
        `${name}-user`,
        {
          instance: instance.name,
          name: GCP_DATABASE_DEFAULTS.username,
          password: password.result,
          project: args.project,
        },
        { parent: this },
      ),
    );

    this.host = instance.privateIpAddress;
    this.serverName = instance.name;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgres://${user.name}:${password.result}@${instance.privateIpAddress}:${DEFAULTS.databasePort}/${database.name}?sslmode=verify-ca`,
    );
    // Every CA the instance lists, so a rotation (old and upcoming side by side) keeps verifying.
    this.tlsCaCertificate = instance.serverCaCerts.apply((certs) => certs.map((c) => c.cert).join("\n"));
    this.registerOutputs({ host: this.host, serverName: this.serverName });
  }

  private createInstance(): gcp.sql.DatabaseInstance {
    const { args } = this;
    return new gcp.sql.DatabaseInstance(
      ...transformed(
        args.transform?.instance,
        `${this.name}-instance`,
        {
          name: physicalName(GCP_NAMES.sql, this.name),
          databaseVersion: cloudSqlPostgresVersion(args.engineVersion),
          region: args.region,
          project: args.project,
          deletionProtection: args.deletionProtection ?? DEFAULTS.deletionProtection,
          settings: {
            tier: args.instanceSize ?? GCP_DATABASE_DEFAULTS.instanceSize,
            edition: "ENTERPRISE",
            availabilityType: "REGIONAL",
            diskType: "PD_SSD",
            diskSize: args.storageGb,
            diskAutoresize: true,
            // Each login and logout in the PostgreSQL log, so a connection can be traced; pgaudit
            // records schema and role changes (DDL, GRANT, CREATE ROLE), which are rare, so the
            // log stays small.
            databaseFlags: [
              { name: "log_connections", value: "on" },
              { name: "log_disconnections", value: "on" },
              { name: "cloudsql.enable_pgaudit", value: "on" },
              { name: "pgaudit.log", value: "ddl,role" },
            ],
            ipConfiguration: {
              ipv4Enabled: false,
              privateNetwork: args.network.networkId,
              sslMode: "ENCRYPTED_ONLY",
            },
            backupConfiguration: {
              enabled: true,
              pointInTimeRecoveryEnabled: true,
              backupRetentionSettings: { retainedBackups: args.backupRetentionDays, retentionUnit: "COUNT" },
            },
            deletionProtectionEnabled: args.deletionProtection ?? DEFAULTS.deletionProtection,
          },
        },
        { parent: this, dependsOn: args.network.dataPlaneReady },
      ),
    );
  }
}
