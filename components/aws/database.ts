import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Database, DatabaseArgs } from "../api/database.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { AWS_NAMES } from "./names.js";
import { requireAwsNetwork } from "./network.js";
import { rdsRegionCa } from "./rds-ca.js";
import type { AwsPlacement } from "./settings.js";
import { rdsPostgres } from "./versions.js";

export interface AwsDatabaseArgs extends DatabaseArgs, AwsPlacement {
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    readonly subnetGroup?: Transform<aws.rds.SubnetGroupArgs>;
    readonly parameterGroup?: Transform<aws.rds.ParameterGroupArgs>;
    readonly instance?: Transform<aws.rds.InstanceArgs>;
  };
}

/** The PostgreSQL log (connections, disconnections, errors) and the engine-upgrade log. */
const EXPORTED_LOGS = ["postgresql", "upgrade"] as const;

export const AWS_DATABASE_DEFAULTS = {
  instanceSize: "db.t4g.micro",
  username: "taskflow",
} as const;

/**
 * RDS PostgreSQL in the private subnets: no public address, storage encrypted, TLS forced,
 * daily backups, reachable only from the services' security group. Every connection and
 * disconnection is logged and the PostgreSQL log exported to CloudWatch groups that expire. The generated password lives in the
 * connection URL, which the stack stores in Secrets Manager. Services check the server's
 * certificate against the region's RDS root CAs and its name against the endpoint (sslmode=verify-full).
 */
export class AwsDatabase extends pulumi.ComponentResource implements Database {
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  readonly tlsCaCertificate: pulumi.Output<string>;
  private readonly ca: ReturnType<typeof rdsRegionCa>;

  constructor(
    private readonly name: string,
    private readonly args: AwsDatabaseArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:aws:Database", name, {}, opts);
    // Before any resource: a region without a known CA fails the stack here.
    this.ca = rdsRegionCa(args.region);
    const password = new random.RandomPassword(
      `${name}-password`,
      // RDS rejects '/', '@', '"' and spaces in master passwords; letters and digits also need no URL escaping.
      { length: 32, special: false },
      { parent: this },
    );
    const securityGroup = this.createSecurityGroup();
    const subnetGroup = this.createSubnetGroup();
    const parameterGroup = this.createParameterGroup();
    const identifier = physicalName(AWS_NAMES.database, this.name);
    const logGroups = this.createLogGroups(identifier);
    const instance = this.createInstance(identifier, password, securityGroup, subnetGroup, parameterGroup, logGroups);

    this.host = instance.address;
    this.serverName = instance.identifier;
    this.connectionUrl = pulumi.secret(
      pulumi.interpolate`postgres://${instance.username}:${password.result}@${instance.address}:${instance.port}/${args.databaseName}?sslmode=verify-full`,
    );
    this.tlsCaCertificate = pulumi.output(this.ca.pem);
    this.registerOutputs({ host: this.host, serverName: this.serverName });
  }

  private createSecurityGroup(): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      ...transformed(
        this.args.transform?.securityGroup,
        `${this.name}-sg`,
        {
          vpcId: this.args.network.networkId,
          description: "PostgreSQL from the database's client group only",
          ingress: [
            {
              protocol: "tcp",
              fromPort: DEFAULTS.databasePort,
              toPort: DEFAULTS.databasePort,
              securityGroups: [requireAwsNetwork(this.args.network, this.name).clientSecurityGroups.database.id],
            },
          ],
        },
        { parent: this },
      ),
    );
  }

  private createSubnetGroup(): aws.rds.SubnetGroup {
    return new aws.rds.SubnetGroup(
      ...transformed(
        this.args.transform?.subnetGroup,
        `${this.name}-subnets`,
        { subnetIds: this.args.network.privateSubnetIds },
        { parent: this },
      ),
    );
  }

  private createParameterGroup(): aws.rds.ParameterGroup {
    return new aws.rds.ParameterGroup(
      ...transformed(
        this.args.transform?.parameterGroup,
        `${this.name}-params`,
        {
          family: rdsPostgres(this.args.engineVersion).family,
          parameters: [
            { name: "rds.force_ssl", value: "1" },
            // Each login and logout in the PostgreSQL log, so a connection can be traced.
            { name: "log_connections", value: "1" },
            { name: "log_disconnections", value: "1" },
          ],
        },
        { parent: this },
      ),
    );
  }

  /**
   * The groups RDS exports to, created first so they carry a retention: RDS would otherwise
   * create them itself, keeping the log forever.
   */
  private createLogGroups(identifier: string): aws.cloudwatch.LogGroup[] {
    return EXPORTED_LOGS.map(
      (log) =>
        new aws.cloudwatch.LogGroup(
          `${this.name}-${log}-logs`,
          { name: `/aws/rds/instance/${identifier}/${log}`, retentionInDays: DEFAULTS.logRetentionDays },
          { parent: this },
        ),
    );
  }

  private createInstance(
    identifier: string,
    password: random.RandomPassword,
    securityGroup: aws.ec2.SecurityGroup,
    subnetGroup: aws.rds.SubnetGroup,
    parameterGroup: aws.rds.ParameterGroup,
    logGroups: aws.cloudwatch.LogGroup[],
  ): aws.rds.Instance {
    const deletionProtection = this.args.deletionProtection ?? DEFAULTS.deletionProtection;
    return new aws.rds.Instance(
      ...transformed(
        this.args.transform?.instance,
        `${this.name}-instance`,
        {
          identifier,
          engine: "postgres",
          engineVersion: rdsPostgres(this.args.engineVersion).engineVersion,
          instanceClass: this.args.instanceSize ?? AWS_DATABASE_DEFAULTS.instanceSize,
          allocatedStorage: this.args.storageGb,
          storageType: "gp3",
          storageEncrypted: true,
          dbName: this.args.databaseName,
          username: AWS_DATABASE_DEFAULTS.username,
          password: password.result,
          dbSubnetGroupName: subnetGroup.name,
          vpcSecurityGroupIds: [securityGroup.id],
          parameterGroupName: parameterGroup.name,
          publiclyAccessible: false,
          multiAz: true,
          backupRetentionPeriod: this.args.backupRetentionDays,
          copyTagsToSnapshot: true,
          deletionProtection,
          // A protected database keeps a final snapshot when it is finally deleted.
          skipFinalSnapshot: !deletionProtection,
          finalSnapshotIdentifier: `${identifier}-final`,
          autoMinorVersionUpgrade: true,
          caCertIdentifier: this.ca.caCertIdentifier,
          enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
        },
        { parent: this, dependsOn: [...this.args.network.dataPlaneReady, ...logGroups] },
      ),
    );
  }
}
