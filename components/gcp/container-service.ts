import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import { type Transform, transformed } from "../api/transform.js";
import { GCP_NAMES } from "./names.js";
import { cloudRunSize } from "./sizing.js";

export interface GcpContainerServiceTransforms {
  readonly service?: Transform<gcp.cloudrunv2.ServiceArgs>;
  readonly serviceAccount?: Transform<gcp.serviceaccount.AccountArgs>;
}

export interface GcpContainerServiceArgs extends ContainerServiceArgs {
  /** The Cloud Run service name before fitting it to Cloud Run's limits. */
  readonly cloudRunName: string;
  readonly region: string;
  readonly project: string;
  readonly networkId: pulumi.Output<string>;
  readonly subnetId: pulumi.Output<string>;
  /**
   * A custom domain mapped to this (public) service, with a Google-managed certificate.
   * @default none: the service's run.app address
   */
  readonly domain?: string;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: GcpContainerServiceTransforms;
}

/** Cloud Run sets PORT itself from the container port and refuses it as a user variable. */
const PLATFORM_SET = new Set(["PORT"]);

/**
 * One Cloud Run v2 service running as its own service account, which holds roles on its own
 * topics, subscriptions, dead-letter topics and secrets only. Egress goes through the VPC
 * (Direct VPC egress) to reach Cloud SQL and Memorystore; startup and liveness probes use the
 * health paths; only the public service accepts traffic from the internet.
 */
export class GcpContainerService extends pulumi.ComponentResource implements ContainerService {
  readonly url: pulumi.Output<string>;
  readonly identity: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: GcpContainerServiceArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:gcp:ContainerService", name, {}, opts);
    const account = new gcp.serviceaccount.Account(
      ...transformed(
        args.transform?.serviceAccount,
        `${name}-sa`,
        {
          accountId: physicalName(GCP_NAMES.serviceAccount, args.cloudRunName),
          project: args.project,
          displayName: `${args.cloudRunName} service`,
        },
        { parent: this },
      ),
    );
    const member = pulumi.interpolate`serviceAccount:${account.email}`;
    const grants = this.grantOwnResources(member);
    const service = this.createService(account, grants);
    this.exposeService(service);

    this.url = args.public && args.domain ? pulumi.output(`https://${args.domain}`) : service.uri;
    this.identity = account.email;
    this.serviceName = service.name;
    this.registerOutputs({ url: this.url, identity: this.identity, serviceName: this.serviceName });
  }

  /** Roles on this service's own resources, nothing project-wide. */
  private grantOwnResources(member: pulumi.Output<string>): pulumi.Resource[] {
    const { args } = this;
    const grants: pulumi.Resource[] = [];
    const opts = { parent: this };
    for (const [envName, secret] of Object.entries(args.secretEnvironment)) {
      grants.push(
        new gcp.secretmanager.SecretIamMember(
          `${this.name}-${envName.toLowerCase()}`,
          { secretId: secret.id, project: args.project, role: "roles/secretmanager.secretAccessor", member },
          opts,
        ),
      );
    }
    if (args.listsTopics ?? (args.publishes.length > 0 || args.consumes.length > 0)) {
      // The adapter's health check lists the project's topics, and it reads its subscription's
      // dead-letter policy; listing has no per-topic scope. Metadata only: no publish, no pull.
      grants.push(
        new gcp.projects.IAMMember(
          `${this.name}-list-topics`,
          { project: args.project, role: "roles/pubsub.viewer", member },
          opts,
        ),
      );
    }
    args.publishes.forEach((topic, i) => {
      grants.push(
        new gcp.pubsub.TopicIAMMember(
          `${this.name}-publish-${i}`,
          { topic: topic.id, project: args.project, role: "roles/pubsub.publisher", member },
          opts,
        ),
      );
    });
    args.consumes.forEach((subscription, i) => {
      grants.push(
        new gcp.pubsub.SubscriptionIAMMember(
          `${this.name}-consume-${i}`,
          { subscription: subscription.id, project: args.project, role: "roles/pubsub.subscriber", member },
          opts,
        ),
        // An explicit deadLetter() from the handler publishes straight to the dead-letter topic.
        new gcp.pubsub.TopicIAMMember(
          `${this.name}-deadletter-${i}`,
          { topic: subscription.deadLetter.id, project: args.project, role: "roles/pubsub.publisher", member },
          opts,
        ),
      );
    });
    return grants;
  }

  private createService(account: gcp.serviceaccount.Account, grants: pulumi.Resource[]): gcp.cloudrunv2.Service {
    const { args } = this;
    const size = cloudRunSize(args.cpu, args.memoryMb);
    const plain = Object.entries(args.environment)
      .filter(([name]) => !PLATFORM_SET.has(name))
      .map(([name, value]) => ({ name, value }));
    const secret = Object.entries(args.secretEnvironment).map(([name, ref]) => ({
      name,
      valueSource: { secretKeyRef: { secret: ref.id, version: ref.version } },
    }));
    const probe = (path: string) => ({ httpGet: { path, port: args.port } });
    const grace = args.startupGraceSeconds ?? DEFAULTS.startupGraceSeconds;
    return new gcp.cloudrunv2.Service(
      ...transformed(
        args.transform?.service,
        `${this.name}-service`,
        {
          name: physicalName(GCP_NAMES.cloudRun, args.cloudRunName),
          location: args.region,
          project: args.project,
          ingress: args.public ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_ONLY",
          // Internal services are closed by ingress to the VPC, like the internal load balancer on AWS;
          // callers inside it need no identity token.
          invokerIamDisabled: !args.public,
          deletionProtection: false,
          // CPU-utilisation scaling targets are a beta field of the Cloud Run API.
          launchStage: "BETA",
          template: {
            serviceAccount: account.email,
            maxInstanceRequestConcurrency: DEFAULTS.requestConcurrency,
            scaling: {
              minInstanceCount: args.minInstances,
              maxInstanceCount: args.maxInstances,
              cpuUtilization: args.cpuTargetPercent / 100,
            },
            vpcAccess: {
              networkInterfaces: [{ network: args.networkId, subnetwork: args.subnetId }],
              // All egress goes through the VPC, so calls to internal services count as internal traffic.
              egress: "ALL_TRAFFIC",
            },
            containers: [
              {
                image: args.image,
                ...(args.command ? { args: [...args.command] } : {}),
                ports: { containerPort: args.port },
                // Broker consumers work between requests, so CPU stays allocated.
                resources: { limits: { cpu: size.cpu, memory: size.memory }, cpuIdle: false, startupCpuBoost: true },
                envs: [...plain, ...secret],
                startupProbe: {
                  ...probe(args.readinessPath),
                  periodSeconds: 5,
                  failureThreshold: Math.ceil(grace / 5),
                },
                livenessProbe: { ...probe(args.livenessPath), periodSeconds: 15, failureThreshold: 3 },
              },
            ],
          },
        },
        // The service account must be able to read its secrets before the first revision starts.
        { parent: this, dependsOn: grants },
      ),
    );
  }

  /** The public service: anyone may invoke it, and the custom domain maps to it. */
  private exposeService(service: gcp.cloudrunv2.Service): void {
    const { args } = this;
    if (!args.public) return;
    new gcp.cloudrunv2.ServiceIamMember(
      `${this.name}-public`,
      {
        name: service.name,
        location: args.region,
        project: args.project,
        role: "roles/run.invoker",
        member: "allUsers",
      },
      { parent: this },
    );
    if (args.domain) {
      new gcp.cloudrun.DomainMapping(
        `${this.name}-domain`,
        {
          name: args.domain,
          location: args.region,
          project: args.project,
          metadata: { namespace: args.project },
          spec: { routeName: service.name },
        },
        { parent: this },
      );
    }
  }
}
