import * as app from "@pulumi/azure-native/app/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { AZURE_NAME_RULES } from "./names.js";
import type { AzurePlacement } from "./placement.js";
import type { AzureRegistry } from "./registry.js";
import { assignRole, type RoleName } from "./roles.js";
import { containerAppsSize } from "./sizing.js";

export interface AzureContainerServiceTransforms {
  readonly app?: Transform<app.ContainerAppArgs>;
  readonly identity?: Transform<managedidentity.UserAssignedIdentityArgs>;
}

export interface AzureContainerServiceArgs extends ContainerServiceArgs {
  /** The Container App's name before fitting it to Azure's limits. */
  readonly appName: string;
  readonly placement: AzurePlacement;
  readonly environmentId: pulumi.Output<string>;
  /** The environment's DNS suffix: apps are `<name>.<suffix>`, or `<name>.internal.<suffix>` inside it. */
  readonly defaultDomain: pulumi.Output<string>;
  readonly registry: AzureRegistry;
  /**
   * A custom domain bound to this (public) app with the environment's managed certificate.
   * @default none: the app's own address in the environment's domain
   */
  readonly domain?: { readonly name: string; readonly certificateId: pulumi.Output<string> };
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: AzureContainerServiceTransforms;
}

/** Container Apps probes allow at most 10 failures in a row. */
const MAX_PROBE_FAILURES = 10;

/** "DATABASE_URL" → "database-url": Container Apps secret names are lower case with dashes. */
export const secretName = (envName: string) => envName.toLowerCase().replace(/_/g, "-");

/**
 * One Container App running as its own user-assigned identity, which holds roles on exactly
 * what the service uses: AcrPull on the registry, Key Vault Secrets User on each of its
 * secrets, Service Bus Data Sender on each topic it publishes and Data Receiver on each of its
 * subscriptions (its dead-letter sub-queue included). Secrets are Key Vault references read
 * through that identity; ingress is HTTPS only, external for the public service alone.
 */
export class AzureContainerService extends pulumi.ComponentResource implements ContainerService {
  readonly url: pulumi.Output<string>;
  readonly identity: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: AzureContainerServiceArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:azure:ContainerService", name, {}, opts);
    const { placement } = args;
    const identity = new managedidentity.UserAssignedIdentity(
      ...transformed(
        args.transform?.identity,
        `${name}-identity`,
        {
          resourceName: physicalName(AZURE_NAME_RULES.resource, args.appName),
          resourceGroupName: placement.resourceGroupName,
          location: placement.location,
        },
        { parent: this },
      ),
    );
    const grants = this.grantOwnResources(identity);
    const containerApp = this.createApp(identity, grants);

    const appName = physicalName(AZURE_NAME_RULES.containerApp, args.appName);
    this.url = args.domain
      ? pulumi.output(`https://${args.domain.name}`)
      : pulumi.interpolate`https://${appName}.${args.public ? "" : "internal."}${args.defaultDomain}`;
    this.identity = identity.clientId;
    this.serviceName = containerApp.name;
    this.registerOutputs({ url: this.url, identity: this.identity, serviceName: this.serviceName });
  }

  /** Roles on this service's own resources, nothing resource-group- or subscription-wide. */
  private grantOwnResources(identity: managedidentity.UserAssignedIdentity): pulumi.Resource[] {
    const { args } = this;
    const grant = (suffix: string, role: RoleName, scope: pulumi.Input<string>) =>
      assignRole(
        `${this.name}-${suffix}`,
        { subscriptionId: args.placement.subscriptionId, principalId: identity.principalId, role, scope },
        { parent: this },
      );
    return [
      grant("acr-pull", "acrPull", args.registry.registryId),
      ...Object.entries(args.secretEnvironment).map(([envName, ref]) =>
        grant(`secret-${secretName(envName)}`, "keyVaultSecretsUser", ref.id),
      ),
      ...args.publishes.map((topic, i) => grant(`send-${i}`, "serviceBusDataSender", topic.id)),
      ...args.consumes.map((subscription, i) => grant(`receive-${i}`, "serviceBusDataReceiver", subscription.id)),
    ];
  }

  private createApp(identity: managedidentity.UserAssignedIdentity, grants: pulumi.Resource[]): app.ContainerApp {
    const { args } = this;
    const size = containerAppsSize(args.cpu, args.memoryMb);
    const grace = args.startupGraceSeconds ?? DEFAULTS.startupGraceSeconds;
    const startupPeriod = Math.max(5, Math.ceil(grace / MAX_PROBE_FAILURES));
    const probe = (type: "Liveness" | "Readiness" | "Startup", path: string) => ({
      type,
      httpGet: { path, port: args.port },
      ...(type === "Startup"
        ? { periodSeconds: startupPeriod, failureThreshold: Math.ceil(grace / startupPeriod) }
        : { periodSeconds: type === "Liveness" ? 15 : 5, failureThreshold: 3 }),
    });
    const env = [
      ...Object.entries(args.environment).map(([name, value]) => ({ name, value })),
      // Which of the app's identities @azure/identity signs in as (ManagedIdentityCredential).
      { name: "AZURE_CLIENT_ID", value: identity.clientId },
      ...Object.keys(args.secretEnvironment).map((name) => ({ name, secretRef: secretName(name) })),
    ];
    return new app.ContainerApp(
      ...transformed(
        args.transform?.app,
        `${this.name}-app`,
        {
          containerAppName: physicalName(AZURE_NAME_RULES.containerApp, args.appName),
          resourceGroupName: args.placement.resourceGroupName,
          location: args.placement.location,
          managedEnvironmentId: args.environmentId,
          workloadProfileName: "Consumption",
          identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
          configuration: {
            activeRevisionsMode: "Single",
            ingress: {
              external: args.public,
              targetPort: args.port,
              transport: "auto",
              allowInsecure: false,
              ...(args.domain
                ? {
                    customDomains: [
                      { name: args.domain.name, certificateId: args.domain.certificateId, bindingType: "SniEnabled" },
                    ],
                  }
                : {}),
            },
            registries: [{ server: args.registry.loginServer, identity: identity.id }],
            secrets: Object.entries(args.secretEnvironment).map(([name, ref]) => ({
              name: secretName(name),
              keyVaultUrl: ref.version,
              identity: identity.id,
            })),
          },
          template: {
            containers: [
              {
                name: args.service,
                image: args.image,
                ...(args.command ? { args: [...args.command] } : {}),
                resources: { cpu: size.cpuCores, memory: size.memory },
                env,
                probes: [
                  probe("Startup", args.readinessPath),
                  probe("Readiness", args.readinessPath),
                  probe("Liveness", args.livenessPath),
                ],
              },
            ],
            scale: {
              minReplicas: args.minInstances,
              maxReplicas: args.maxInstances,
              rules: [
                {
                  name: "cpu",
                  custom: { type: "cpu", metadata: { type: "Utilization", value: String(args.cpuTargetPercent) } },
                },
              ],
            },
          },
        },
        // The identity must hold AcrPull and its secrets before the first revision pulls and starts.
        { parent: this, dependsOn: grants },
      ),
    );
  }
}
