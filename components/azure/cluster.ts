import * as app from "@pulumi/azure-native/app/index.js";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { Cluster, ClusterArgs } from "../api/cluster.js";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { type Transform, transformed } from "../api/transform.js";
import { AzureContainerService, type AzureContainerServiceTransforms } from "./container-service.js";
import type { AzureLogs } from "./logs.js";
import { AZURE_NAME_RULES } from "./names.js";
import { requireAzureNetwork } from "./network.js";
import type { AzurePlacement } from "./placement.js";
import type { AzureRegistry } from "./registry.js";

export interface AzureClusterArgs extends ClusterArgs {
  readonly placement: AzurePlacement;
  /** Where every app's console output goes. */
  readonly logs: AzureLogs;
  /** Where the apps pull their image from, with their own identity. */
  readonly registry: AzureRegistry;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: {
    readonly environment?: Transform<app.ManagedEnvironmentArgs>;
    /** Applied to every service added to this cluster. */
    readonly service?: AzureContainerServiceTransforms;
  };
}

/**
 * A Container Apps environment on the VNet's delegated subnet (workload profiles, zone
 * redundant), sending logs to the Log Analytics workspace. Not internal, so the one app with
 * external ingress (the gateway) is reachable from the internet; every other app takes only
 * traffic from inside the environment. The custom domain's managed certificate lives here.
 */
export class AzureCluster extends pulumi.ComponentResource implements Cluster {
  readonly clusterName: pulumi.Output<string>;
  private readonly environment: app.ManagedEnvironment;
  private readonly certificate?: app.ManagedCertificate;

  constructor(
    private readonly name: string,
    private readonly args: AzureClusterArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:azure:Cluster", name, {}, opts);
    const { placement } = args;
    const network = requireAzureNetwork(args.network, `cluster "${name}"`);
    const keys = operationalinsights.getSharedKeysOutput(
      { resourceGroupName: placement.resourceGroupName, workspaceName: args.logs.workspace.name },
      { parent: this },
    );
    this.environment = new app.ManagedEnvironment(
      ...transformed(
        args.transform?.environment,
        `${name}-environment`,
        {
          environmentName: `${name}-environment`,
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          vnetConfiguration: { infrastructureSubnetId: network.subnets.apps, internal: false },
          workloadProfiles: [{ name: "Consumption", workloadProfileType: "Consumption" }],
          zoneRedundant: true,
          appLogsConfiguration: {
            destination: "log-analytics",
            logAnalyticsConfiguration: {
              customerId: args.logs.workspace.customerId,
              sharedKey: pulumi.secret(keys.apply((k) => k.primarySharedKey ?? "")),
            },
          },
          // Traffic between apps inside the environment is encrypted too.
          peerTrafficConfiguration: { encryption: { enabled: true } },
        },
        { parent: this },
      ),
    );
    if (args.domain) {
      this.certificate = new app.ManagedCertificate(
        `${name}-certificate`,
        {
          environmentName: this.environment.name,
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
          managedCertificateName: `${name}-domain`.slice(0, AZURE_NAME_RULES.resource.maxLength),
          properties: { subjectName: args.domain.name, domainControlValidation: "CNAME" },
        },
        { parent: this },
      );
    }
    this.clusterName = this.environment.name;
    this.registerOutputs({ clusterName: this.clusterName });
  }

  addService(name: string, args: ContainerServiceArgs): ContainerService {
    const domain =
      args.public && this.args.domain && this.certificate
        ? { name: this.args.domain.name, certificateId: this.certificate.id }
        : undefined;
    return new AzureContainerService(
      name,
      {
        ...args,
        appName: `${this.name}-${args.service}`,
        placement: this.args.placement,
        environmentId: this.environment.id,
        defaultDomain: this.environment.defaultDomain,
        registry: this.args.registry,
        domain,
        transform: this.args.transform?.service,
      },
      { parent: this },
    );
  }
}
