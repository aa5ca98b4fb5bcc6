import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerService, ContainerServiceArgs } from "../api/container-service.js";
import { DEFAULTS } from "../api/defaults.js";
import { physicalName } from "../api/names.js";
import type { Network } from "../api/network.js";
import { type Transform, transformed } from "../api/transform.js";
import { AWS_NAMES } from "./names.js";
import { requireAwsNetwork } from "./network.js";
import { fargateSize } from "./sizing.js";

/** The pieces of the cluster a service attaches to (see cluster.ts, which builds them). */
export interface AwsClusterAttachment {
  readonly region: string;
  readonly network: Network;
  readonly cluster: aws.ecs.Cluster;
  readonly servicesSecurityGroup: aws.ec2.SecurityGroup;
  readonly publicListener: aws.lb.Listener;
  readonly publicUrl: pulumi.Output<string>;
  readonly publicLoadBalancerSecurityGroup: aws.ec2.SecurityGroup;
  readonly internalLoadBalancer: aws.lb.LoadBalancer;
  readonly internalLoadBalancerSecurityGroup: aws.ec2.SecurityGroup;
}

export interface AwsContainerServiceTransforms {
  readonly taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
  readonly service?: Transform<aws.ecs.ServiceArgs>;
  readonly targetGroup?: Transform<aws.lb.TargetGroupArgs>;
  readonly scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
}

export interface AwsContainerServiceArgs extends ContainerServiceArgs {
  readonly attachment: AwsClusterAttachment;
  /**
   * Edits a child resource's arguments before it is created, one hook per child.
   * @default none
   */
  readonly transform?: AwsContainerServiceTransforms;
}

const ECS_TASKS = "ecs-tasks.amazonaws.com";
const CONTAINER = "app";

/**
 * One Fargate service: its own execution role (may read only its own secrets) and task role
 * (may publish only to its own topics and consume only its own queues), a target group on the
 * readiness path behind the public or the internal load balancer, a container health check on
 * the liveness path, and CPU target tracking between the declared bounds.
 */
export class AwsContainerService extends pulumi.ComponentResource implements ContainerService {
  readonly url: pulumi.Output<string>;
  readonly identity: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;

  constructor(
    private readonly name: string,
    private readonly args: AwsContainerServiceArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("taskflow:aws:ContainerService", name, {}, opts);
    const executionRole = this.createExecutionRole();
    const taskRole = this.createTaskRole();
    const targetGroup = this.createTargetGroup();
    const { url, routing } = this.attachToLoadBalancer(targetGroup);
    const taskDefinition = this.createTaskDefinition(executionRole, taskRole);
    const service = this.createService(taskDefinition, targetGroup, routing);
    this.createAutoscaling(service);

    this.url = url;
    this.identity = taskRole.arn;
    this.serviceName = service.name;
    this.registerOutputs({ url: this.url, identity: this.identity, serviceName: this.serviceName });
  }

  private role(kind: string, policy: pulumi.Input<string> | undefined): aws.iam.Role {
    const role = new aws.iam.Role(
      `${this.name}-${kind}`,
      {
        name: physicalName(AWS_NAMES.role, this.name, kind),
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: ECS_TASKS }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
    if (policy !== undefined) {
      new aws.iam.RolePolicy(`${this.name}-${kind}`, { role: role.id, policy }, { parent: this });
    }
    return role;
  }

  /** ECS itself uses this role to pull the image, write logs and fetch the secret env values. */
  private createExecutionRole(): aws.iam.Role {
    const secrets = Object.values(this.args.secretEnvironment).map((s) => s.id);
    const role = this.role(
      "execution",
      secrets.length === 0
        ? undefined
        : pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "OwnSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secrets },
            ],
          }),
    );
    new aws.iam.RolePolicyAttachment(
      `${this.name}-execution`,
      { role: role.name, policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
      { parent: this },
    );
    return role;
  }

  /** The application's own identity: only its topics, its queues and their dead-letter queues. */
  private createTaskRole(): aws.iam.Role {
    const statements: unknown[] = [];
    if (this.args.listsTopics ?? (this.args.publishes.length > 0 || this.args.consumes.length > 0)) {
      statements.push({
        // The adapter's health check lists topics; SNS cannot scope ListTopics to a resource.
        Sid: "BrokerHealthCheck",
        Effect: "Allow",
        Action: ["sns:ListTopics"],
        Resource: "*",
      });
    }
    if (this.args.publishes.length > 0) {
      statements.push({
        Sid: "PublishOwnTopics",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: this.args.publishes.map((t) => t.id),
      });
    }
    if (this.args.consumes.length > 0) {
      statements.push({
        Sid: "ConsumeOwnQueues",
        Effect: "Allow",
        Action: [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes",
          "sqs:GetQueueUrl",
        ],
        Resource: this.args.consumes.map((s) => s.id),
      });
      statements.push({
        // An explicit deadLetter() from the handler sends straight to the subscription's DLQ.
        Sid: "DeadLetterOwnQueues",
        Effect: "Allow",
        Action: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        Resource: this.args.consumes.map((s) => s.deadLetter.id),
      });
    }
    return this.role(
      "task",
      statements.length === 0 ? undefined : pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
    );
  }

  private createTargetGroup(): aws.lb.TargetGroup {
    const { attachment } = this.args;
    return new aws.lb.TargetGroup(
      ...transformed(
        this.args.transform?.targetGroup,
        `${this.name}-tg`,
        {
          name: physicalName(AWS_NAMES.loadBalancer, this.name),
          port: this.args.port,
          protocol: "HTTP",
          targetType: "ip",
          vpcId: attachment.network.networkId,
          deregistrationDelay: 30,
          healthCheck: {
            path: this.args.readinessPath,
            matcher: "200-299",
            interval: 15,
            timeout: 5,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
        },
        { parent: this },
      ),
    );
  }

  /** The public service joins the internet-facing listener; the others get a port on the internal balancer. */
  private attachToLoadBalancer(targetGroup: aws.lb.TargetGroup) {
    const { attachment, port } = this.args;
    const from = this.args.public
      ? attachment.publicLoadBalancerSecurityGroup
      : attachment.internalLoadBalancerSecurityGroup;
    new aws.vpc.SecurityGroupIngressRule(
      `${this.name}-from-lb`,
      {
        securityGroupId: attachment.servicesSecurityGroup.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: from.id,
        description: `${this.args.service} from its load balancer`,
      },
      { parent: this },
    );
    if (this.args.public) {
      const rule = new aws.lb.ListenerRule(
        `${this.name}-route`,
        {
          listenerArn: attachment.publicListener.arn,
          priority: 100,
          conditions: [{ pathPattern: { values: ["/*"] } }],
          actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        },
        { parent: this },
      );
      return { url: attachment.publicUrl, routing: rule as pulumi.Resource };
    }
    new aws.vpc.SecurityGroupIngressRule(
      `${this.name}-lb-port`,
      {
        securityGroupId: attachment.internalLoadBalancerSecurityGroup.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: attachment.network.cidr,
        description: `${this.args.service} from inside the VPC`,
      },
      { parent: this },
    );
    const listener = new aws.lb.Listener(
      `${this.name}-listener`,
      {
        loadBalancerArn: attachment.internalLoadBalancer.arn,
        port,
        protocol: "HTTP",
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      },
      { parent: this },
    );
    return {
      url: pulumi.interpolate`http://${attachment.internalLoadBalancer.dnsName}:${port}`,
      routing: listener as pulumi.Resource,
    };
  }

  private createTaskDefinition(executionRole: aws.iam.Role, taskRole: aws.iam.Role): aws.ecs.TaskDefinition {
    const { args } = this;
    const size = fargateSize(args.cpu, args.memoryMb);
    const environment = Object.entries(args.environment).map(([name, value]) => ({ name, value }));
    const secrets = Object.entries(args.secretEnvironment).map(([name, ref]) => ({ name, valueFrom: ref.id }));
    // The image has node but no curl; node's fetch probes the liveness path.
    const probe = `fetch('http://127.0.0.1:${args.port}${args.livenessPath}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`;
    const containerDefinitions = pulumi.jsonStringify([
      {
        name: CONTAINER,
        image: args.image,
        essential: true,
        ...(args.command ? { command: args.command } : {}),
        portMappings: [{ containerPort: args.port, protocol: "tcp", name: "http" }],
        environment,
        secrets,
        healthCheck: { command: ["CMD", "node", "-e", probe], interval: 15, timeout: 5, retries: 3, startPeriod: 30 },
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": args.logDestination,
            "awslogs-region": args.attachment.region,
            "awslogs-stream-prefix": args.service,
          },
        },
      },
    ]);
    return new aws.ecs.TaskDefinition(
      ...transformed(
        args.transform?.taskDefinition,
        `${this.name}-task`,
        {
          family: this.name,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: size.cpu,
          memory: size.memory,
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
          executionRoleArn: executionRole.arn,
          taskRoleArn: taskRole.arn,
          containerDefinitions,
        },
        { parent: this },
      ),
    );
  }

  private createService(
    taskDefinition: aws.ecs.TaskDefinition,
    targetGroup: aws.lb.TargetGroup,
    routing: pulumi.Resource,
  ): aws.ecs.Service {
    const { args } = this;
    return new aws.ecs.Service(
      ...transformed(
        args.transform?.service,
        `${this.name}-service`,
        {
          cluster: args.attachment.cluster.arn,
          taskDefinition: taskDefinition.arn,
          launchType: "FARGATE",
          desiredCount: args.minInstances,
          networkConfiguration: {
            subnets: args.attachment.network.privateSubnetIds,
            securityGroups: [args.attachment.servicesSecurityGroup.id, ...this.clientGroupIds()],
            assignPublicIp: false,
          },
          loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: CONTAINER, containerPort: args.port }],
          healthCheckGracePeriodSeconds: args.startupGraceSeconds ?? DEFAULTS.startupGraceSeconds,
          deploymentCircuitBreaker: { enable: true, rollback: true },
          propagateTags: "SERVICE",
        },
        // The autoscaler owns the running count after the first deployment.
        { parent: this, dependsOn: [routing], ignoreChanges: ["desiredCount"] },
      ),
    );
  }

  /** The data services' client groups this service joins: only those it connects to. */
  private clientGroupIds(): pulumi.Output<string>[] {
    const { connectsTo } = this.args;
    const groups = requireAwsNetwork(this.args.attachment.network, this.name).clientSecurityGroups;
    return [...(connectsTo?.database ? [groups.database.id] : []), ...(connectsTo?.cache ? [groups.cache.id] : [])];
  }

  private createAutoscaling(service: aws.ecs.Service): void {
    const { args } = this;
    const target = new aws.appautoscaling.Target(
      `${this.name}-scaling`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${args.attachment.cluster.name}/${service.name}`,
        minCapacity: args.minInstances,
        maxCapacity: args.maxInstances,
      },
      { parent: this },
    );
    new aws.appautoscaling.Policy(
      ...transformed(
        args.transform?.scalingPolicy,
        `${this.name}-cpu`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: args.cpuTargetPercent,
            predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
            scaleInCooldown: 120,
            scaleOutCooldown: 60,
          },
        },
        { parent: this },
      ),
    );
  }
}
