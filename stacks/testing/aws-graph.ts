import { readSnsSqsConfig } from "../../adapters/aws-sns-sqs/config.js";
import { asArray, at, Graph, parseJson } from "../../components/testing/graph.js";
import type { PlatformDeclaration } from "../../services/platform.js";
import {
  type Capabilities,
  type CloudReading,
  type Grant,
  type InjectedEnvironment,
  type ServiceCapabilities,
  secretVariables,
} from "./capabilities.js";
import type { StackRun } from "./run-stack.js";

const T = {
  service: "aws:ecs/service:Service",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  topic: "aws:sns/topic:Topic",
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  snsSubscription: "aws:sns/topicSubscription:TopicSubscription",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  subnet: "aws:ec2/subnet:Subnet",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  db: "aws:rds/instance:Instance",
  dbParams: "aws:rds/parameterGroup:ParameterGroup",
  dbSubnets: "aws:rds/subnetGroup:SubnetGroup",
  redis: "aws:elasticache/replicationGroup:ReplicationGroup",
  redisSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
} as const;

/** Secret component name → the env variable it fills. */
const SECRET_ENV: Record<string, string> = {
  "database-url": "DATABASE_URL",
  "cache-url": "CACHE_URL",
  "jwt-key": "JWT_PRIVATE_KEY",
};

interface Statement {
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Effect: string;
}

/** Reads an AWS stack's resource graph into cloud-neutral capabilities, env and grants. */
export function readGraph(run: StackRun, declaration: PlatformDeclaration): CloudReading {
  const graph = new Graph(run.resources);
  const app = run.settings.appName;
  const strip = (name: string, prefix: string) =>
    name.startsWith(prefix) ? name.slice(prefix.length) : `unknown:${name}`;
  const topicName = (arn: string) => {
    const topic = graph.withOutput(T.topic, "arn", arn);
    return topic ? strip(topic.name, `${app}-broker-`) : `unknown:${arn}`;
  };
  const queueName = (arn: string) => {
    const queue = graph.withOutput(T.queue, "arn", arn);
    return queue ? strip(queue.name, `${app}-broker-`) : `unknown:${arn}`;
  };
  const secretEnvName = (arn: string) => {
    const secret = graph.withOutput(T.secret, "arn", arn);
    const key = secret ? strip(secret.name, `${app}-`).replace(/-secret$/, "") : arn;
    return SECRET_ENV[key] ?? `unknown:${arn}`;
  };
  const statements = (policyName: string): Statement[] => {
    const policy = graph.maybeNamed(T.rolePolicy, policyName);
    if (!policy) return [];
    return asArray(at(parseJson(policy.inputs.policy, `policy ${policyName}`), "Statement")) as Statement[];
  };
  const resourcesFor = (list: Statement[], action: string) =>
    list
      .filter((s) => s.Effect === "Allow" && asArray(s.Action).includes(action))
      .flatMap((s) => asArray(s.Resource) as string[]);

  const isPublicTarget = publicTargets(graph);
  const services: ServiceCapabilities[] = [];
  const environments: Record<string, InjectedEnvironment> = {};
  const grants: Record<string, Grant[]> = {};
  const ownResources: Record<string, string[]> = {};
  const opened: Record<string, string[]> = {};
  const reaches: Record<string, { database: boolean; cache: boolean }> = {};
  const dataAdmits = admittedGroups(graph, app);

  for (const ecs of graph.ofType(T.service)) {
    const name = strip(ecs.name, `${app}-`).replace(/-service$/, "");
    const task = graph.named(T.task, `${app}-${name}-task`);
    const container = at(parseJson(task.inputs.containerDefinitions, `${name} container definitions`), 0);
    const env = Object.fromEntries(
      (asArray(at(container, "environment")) as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    const secretRefs = asArray(at(container, "secrets")) as { name: string; valueFrom: string }[];
    const stored = (arn: string) => {
      const secret = graph.withOutput(T.secret, "arn", arn);
      const version = secret && graph.ofType(T.secretVersion).find((v) => v.inputs.secretId === secret.id);
      return typeof version?.inputs.secretString === "string" ? version.inputs.secretString : undefined;
    };
    environments[name] = {
      plain: env,
      secretNames: secretRefs.map((s) => s.name),
      secretValues: Object.fromEntries(
        secretRefs.flatMap((s) => {
          const value = stored(s.valueFrom);
          return value === undefined ? [] : [[s.name, value]];
        }),
      ),
      command: asArray(at(container, "command")) as string[],
    };
    opened[name] = openedBy(
      graph,
      { ...env, ...environments[name]?.secretValues },
      secretRefs.map((s) => s.valueFrom),
    );
    const memberOf = asArray(at(ecs.inputs, "networkConfiguration", "securityGroups")).map(String);
    reaches[name] = {
      database: memberOf.some((g) => dataAdmits.database.has(g)),
      cache: memberOf.some((g) => dataAdmits.cache.has(g)),
    };

    const targetGroup = graph.named(T.targetGroup, `${app}-${name}-tg`);
    const scaling = graph
      .ofType(T.scalingTarget)
      .find((t) => String(t.inputs.resourceId).endsWith(`/${ecs.state.name}`));
    const policy = graph.ofType(T.scalingPolicy).find((p) => p.inputs.resourceId === scaling?.inputs.resourceId);
    const probe = String(at(container, "healthCheck", "command", 3) ?? "");
    const taskStatements = statements(`${app}-${name}-task`);
    const executionStatements = statements(`${app}-${name}-execution`);
    // A secret reference counts only if it points at the secret that holds that variable.
    const secretNames = secretRefs.filter((s) => secretEnvName(s.valueFrom) === s.name).map((s) => s.name);
    const readable = new Set(resourcesFor(executionStatements, "secretsmanager:GetSecretValue").map(secretEnvName));
    const inVpc = at(ecs.inputs, "networkConfiguration", "assignPublicIp") === false;
    // The one unscoped grant allowed: listing topic names for the adapter's health check.
    const isListing = (s: Statement) =>
      asArray(s.Resource).join() === "*" && asArray(s.Action).join() === "sns:ListTopics" && s.Effect === "Allow";

    services.push({
      service: name,
      compute: at(task.inputs, "requiresCompatibilities", 0) === "FARGATE" && Number(ecs.inputs.desiredCount) >= 0,
      // Reachable from the internet: behind the internet-facing balancer, or tasks with public IPs.
      public: isPublicTarget(targetGroup.state.arn as string) || !inVpc,
      scaling: {
        min: Number(scaling?.inputs.minCapacity),
        max: Number(scaling?.inputs.maxCapacity),
        cpuTargetPercent: Number(at(policy?.inputs, "targetTrackingScalingPolicyConfiguration", "targetValue")),
      },
      health: {
        liveness: /127\.0\.0\.1:\d+(\/[^']*)'/.exec(probe)?.[1] ?? "",
        readiness: String(at(targetGroup.inputs, "healthCheck", "path") ?? ""),
      },
      database: inVpc && secretNames.includes("DATABASE_URL") && readable.has("DATABASE_URL"),
      cache: inVpc && secretNames.includes("CACHE_URL") && readable.has("CACHE_URL"),
      publishes: resourcesFor(taskStatements, "sns:Publish").map(topicName),
      listsTopics: taskStatements.some(isListing),
      consumes: resourcesFor(taskStatements, "sqs:ReceiveMessage").map(queueName),
      deadLetters: resourcesFor(taskStatements, "sqs:SendMessage")
        .map(queueName)
        .map((q) => (q.endsWith("-dlq") ? q.slice(0, -4) : `not-a-dlq:${q}`)),
      secretRefs: secretNames.filter((n) => readable.has(n)),
    });
    grants[name] = [...taskStatements, ...executionStatements]
      .filter((s) => !isListing(s))
      .flatMap((s) =>
        (asArray(s.Resource) as string[]).map((resource) => ({ resource, access: asArray(s.Action).join(",") })),
      );
    ownResources[name] = ownedBy(graph, app, declaration, name);
  }

  const capabilities: Capabilities = {
    services,
    subscriptions: readSubscriptions(graph, app, declaration, topicName),
    database: readDatabase(graph, app, declaration),
    cache: readCache(graph, app),
  };
  return { provider: "aws", capabilities, environments, grants, ownResources, opened, reaches };
}

/**
 * What a service's runtime opens, as ARNs: the topics and queues the SNS/SQS adapter's own
 * config parser reads from its environment, each queue's dead-letter queue (the adapter finds
 * it through the queue's redrive policy), and the secrets ECS reads for it at start.
 */
function openedBy(graph: Graph, env: Record<string, string>, secretArns: readonly string[]): string[] {
  const config = readSnsSqsConfig(env);
  const exists = (type: string, key: string, value: string, what: string) =>
    graph.withOutput(type, key, value) ? value : `missing:${what} ${value}`;
  const queues = Object.values(config.subscriptions ?? {}).flatMap((url) => {
    const queue = graph.withOutput(T.queue, "url", url);
    if (!queue) return [`missing:queue ${url}`];
    const redrive = parseJson(queue.inputs.redrivePolicy, `redrive policy of ${queue.name}`);
    const dlq = String(at(redrive, "deadLetterTargetArn"));
    return [String(queue.state.arn), exists(T.queue, "arn", dlq, "dead-letter queue")];
  });
  return [
    ...Object.values(config.topics ?? {}).map((arn) => exists(T.topic, "arn", arn, "topic")),
    ...queues,
    ...secretArns.map((arn) => exists(T.secret, "arn", arn, "secret")),
  ];
}

/**
 * The security groups whose members the database's and the cache's groups admit; a rule open
 * to an address range admits every group in it, so it counts as admitting all of them.
 */
function admittedGroups(graph: Graph, app: string): { database: Set<string>; cache: Set<string> } {
  const everyGroup = graph.ofType(T.securityGroup).map((g) => g.id);
  const admitted = (groupIds: unknown) =>
    new Set(
      asArray(groupIds).flatMap((id) =>
        (asArray(graph.withOutput(T.securityGroup, "id", id)?.inputs.ingress) as Record<string, unknown>[]).flatMap(
          (rule) => (asArray(rule.cidrBlocks).length > 0 ? everyGroup : (asArray(rule.securityGroups) as string[])),
        ),
      ),
    );
  return {
    database: admitted(graph.named(T.db, `${app}-db-instance`).inputs.vpcSecurityGroupIds),
    cache: admitted(graph.named(T.redis, `${app}-cache-redis`).inputs.securityGroupIds),
  };
}

/** Target groups reachable from an internet-facing load balancer. */
function publicTargets(graph: Graph): (targetGroupArn: string) => boolean {
  const internetFacing = (listenerArn: unknown) => {
    const listener = graph.withOutput(T.listener, "arn", listenerArn);
    const lb = listener && graph.withOutput(T.loadBalancer, "arn", listener.inputs.loadBalancerArn);
    return lb !== undefined && lb.inputs.internal === false;
  };
  const forwards = (actions: unknown) =>
    (asArray(actions) as { targetGroupArn?: string }[]).map((a) => a.targetGroupArn);
  const reachable = new Set<string | undefined>();
  for (const listener of graph.ofType(T.listener)) {
    if (internetFacing(listener.state.arn))
      for (const tg of forwards(listener.inputs.defaultActions)) reachable.add(tg);
  }
  for (const rule of graph.ofType(T.listenerRule)) {
    if (internetFacing(rule.inputs.listenerArn)) for (const tg of forwards(rule.inputs.actions)) reachable.add(tg);
  }
  return (arn) => reachable.has(arn);
}

/** What the declaration says this service may use, as ARNs: its topics, queues, their DLQs, its secrets. */
function ownedBy(graph: Graph, app: string, declaration: PlatformDeclaration, service: string): string[] {
  const own = declaration.services.find((s) => s.name === service);
  if (!own) return [];
  const arn = (type: string, name: string) => String(graph.named(type, name).state.arn);
  return [
    ...own.publishes.map((t) => arn(T.topic, `${app}-broker-${t}`)),
    ...own.consumes.flatMap((s) => [arn(T.queue, `${app}-broker-${s}`), arn(T.queue, `${app}-broker-${s}-dlq`)]),
    ...secretVariables(own).map((v) => {
      const key = Object.keys(SECRET_ENV).find((k) => SECRET_ENV[k] === v);
      return arn(T.secret, `${app}-${key}-secret`);
    }),
  ];
}

function readSubscriptions(
  graph: Graph,
  app: string,
  declaration: PlatformDeclaration,
  topicName: (arn: string) => string,
) {
  return graph
    .ofType(T.queue)
    .filter((q) => !q.name.endsWith("-dlq"))
    .map((queue) => {
      const name = queue.name.slice(`${app}-broker-`.length);
      const redrive = parseJson(queue.inputs.redrivePolicy, `redrive policy of ${name}`) as {
        deadLetterTargetArn: string;
        maxReceiveCount: number;
      };
      const dlq = graph.withOutput(T.queue, "arn", redrive.deadLetterTargetArn);
      const subscription = graph.ofType(T.snsSubscription).find((s) => s.inputs.endpoint === queue.state.arn);
      const topicArn = String(subscription?.inputs.topic ?? "");
      const policy = graph.ofType(T.queuePolicy).find((p) => p.inputs.queueUrl === queue.state.url);
      const allowsTopic = JSON.stringify(policy?.inputs.policy ?? "").includes(topicArn);
      const topic = graph.withOutput(T.topic, "arn", topicArn);
      const declaredOrdered = declaration.subscriptions.find((s) => s.name === name)?.ordered ?? false;
      return {
        name,
        topic: subscription?.inputs.rawMessageDelivery === true && allowsTopic ? topicName(topicArn) : "not delivered",
        maxAttempts: redrive.maxReceiveCount,
        deadLetter: dlq !== undefined && Number(dlq.inputs.messageRetentionSeconds) > 0,
        orderingAsDeclared: !declaredOrdered || (queue.inputs.fifoQueue === true && topic?.inputs.fifoTopic === true),
      };
    });
}

function privateSubnets(graph: Graph, ids: unknown): boolean {
  const list = asArray(ids);
  return (
    list.length >= 2 &&
    list.every((id) => {
      const subnet = graph.withOutput(T.subnet, "id", id);
      return subnet !== undefined && subnet.inputs.mapPublicIpOnLaunch === false;
    })
  );
}

function closedToInternet(graph: Graph, groupIds: unknown): boolean {
  return asArray(groupIds).every((id) => {
    const group = graph.withOutput(T.securityGroup, "id", id);
    return group !== undefined && !JSON.stringify(group.inputs.ingress ?? []).includes("0.0.0.0/0");
  });
}

function readDatabase(graph: Graph, app: string, declaration: PlatformDeclaration) {
  const db = graph.named(T.db, `${app}-db-instance`);
  const subnets = graph.withOutput(T.dbSubnets, "name", db.inputs.dbSubnetGroupName);
  const params = graph.withOutput(T.dbParams, "name", db.inputs.parameterGroupName);
  const forceSsl = (asArray(params?.inputs.parameters) as { name: string; value: string }[]).some(
    (p) => p.name === "rds.force_ssl" && p.value === "1",
  );
  return {
    private:
      db.inputs.publiclyAccessible === false &&
      privateSubnets(graph, subnets?.inputs.subnetIds) &&
      closedToInternet(graph, db.inputs.vpcSecurityGroupIds),
    tls: forceSsl,
    encryptedAtRest: db.inputs.storageEncrypted === true,
    protectedAccess: Number(db.inputs.backupRetentionPeriod) === declaration.database.backupRetentionDays,
  };
}

function readCache(graph: Graph, app: string) {
  const redis = graph.named(T.redis, `${app}-cache-redis`);
  const subnets = graph.withOutput(T.redisSubnets, "name", redis.inputs.subnetGroupName);
  return {
    private: privateSubnets(graph, subnets?.inputs.subnetIds) && closedToInternet(graph, redis.inputs.securityGroupIds),
    tls: redis.inputs.transitEncryptionEnabled === true,
    encryptedAtRest: redis.inputs.atRestEncryptionEnabled === true,
    protectedAccess: typeof redis.inputs.authToken === "string" && redis.inputs.authToken.length >= 16,
  };
}
