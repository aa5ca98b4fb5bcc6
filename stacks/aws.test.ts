import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { asArray, at, Graph, parseJson } from "../components/testing/graph.js";
import { MOCK_ACCOUNT } from "../components/testing/mocks.js";
import { platform } from "../services/platform.js";
import { containerEnvironment, describePlatformChecks, storedDatabaseUrl, useMockedStack } from "./testing/checks.js";

describe("AWS stack under mocks", () => {
  const stack = useMockedStack("aws");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;

  describePlatformChecks("aws", stack);

  it("verifies RDS's certificate and its endpoint name against the region's RDS CAs", () => {
    const rds = graph().named("aws:rds/instance:Instance", `${app()}-db-instance`);
    expect(rds.inputs.caCertIdentifier).toBe("rds-ca-rsa2048-g1");
    const url = new URL(storedDatabaseUrl(stack().run));
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
    expect(url.hostname).toBe(rds.state.address);
    const env = containerEnvironment(stack().reading, "tasks");
    const region = stack().run.config["aws:region"];
    expect(new X509Certificate(env.DATABASE_TLS_CA ?? "").subject).toContain(`CN=Amazon RDS ${region} Root CA`);
  });

  it("creates the expected resources, counted by type", () => {
    const counts = graph().countsByType();
    const services = platform.services.length;
    const subscriptions = platform.subscriptions.length;
    expect(counts).toMatchObject({
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/subnet:Subnet": 4,
      "aws:ec2/natGateway:NatGateway": 1,
      "aws:rds/instance:Instance": 1,
      "aws:elasticache/replicationGroup:ReplicationGroup": 1,
      "aws:sns/topic:Topic": platform.topics.length,
      "aws:sqs/queue:Queue": 2 * subscriptions,
      "aws:sns/topicSubscription:TopicSubscription": subscriptions,
      "aws:sqs/queuePolicy:QueuePolicy": subscriptions,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/service:Service": services,
      "aws:ecs/taskDefinition:TaskDefinition": services,
      "aws:lb/loadBalancer:LoadBalancer": 2,
      "aws:lb/targetGroup:TargetGroup": services,
      "aws:appautoscaling/target:Target": services,
      "aws:appautoscaling/policy:Policy": services,
      // Two per service (execution, task) and one for the VPC flow log.
      "aws:iam/role:Role": 2 * services + 1,
      // One per service, one for the VPC flow log, two for the database's exported logs.
      "aws:cloudwatch/logGroup:LogGroup": services + 3,
      "aws:ec2/flowLog:FlowLog": 1,
      "aws:secretsmanager/secret:Secret": 3,
      "aws:ecr/repository:Repository": 1,
      // Per cluster: public LB, internal LB, services; per data service: its own and its clients'.
      "aws:ec2/securityGroup:SecurityGroup": 7,
      // The load balancers' access logs.
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    });
  });

  it("writes both load balancers' access logs to an encrypted, private bucket that expires them", () => {
    const g = graph();
    const [bucket, ...others] = g.ofType("aws:s3/bucket:Bucket");
    expect(others).toHaveLength(0);
    for (const lb of g.ofType("aws:lb/loadBalancer:LoadBalancer")) {
      expect(lb.inputs.accessLogs, lb.name).toMatchObject({ bucket: bucket?.state.bucket, enabled: true });
    }
    const forBucket = (type: string) => g.ofType(type).find((r) => r.inputs.bucket === bucket?.id);
    expect(
      at(
        forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")?.inputs,
        "rules",
        0,
        "applyServerSideEncryptionByDefault",
        "sseAlgorithm",
      ),
    ).toBe("AES256");
    const [rule] = asArray(
      at(forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")?.inputs, "rules"),
    ) as Record<string, unknown>[];
    expect(rule).toMatchObject({ status: "Enabled", expiration: { days: 30 } });
    expect(forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")?.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    // ELB log delivery may write only under AWSLogs/<this account>/, and nothing reads over plain HTTP.
    const policy = parseJson(forBucket("aws:s3/bucketPolicy:BucketPolicy")?.inputs.policy, "bucket policy");
    const statements = asArray(at(policy, "Statement")) as Record<string, unknown>[];
    expect(statements.find((s) => s.Effect === "Allow")).toEqual({
      Sid: "ElbLogDelivery",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::156460612806:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${String(bucket?.state.arn)}/*/AWSLogs/${MOCK_ACCOUNT}/*`,
    });
    expect(statements.find((s) => s.Effect === "Deny")).toMatchObject({
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("records every flow of the VPC in a log group that expires", () => {
    const g = graph();
    const vpc = g.named("aws:ec2/vpc:Vpc", `${app()}-network-vpc`);
    const [flowLog] = g.ofType("aws:ec2/flowLog:FlowLog");
    expect(flowLog?.inputs).toMatchObject({
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
    });
    const group = g.withOutput("aws:cloudwatch/logGroup:LogGroup", "arn", flowLog?.inputs.logDestination);
    expect(group?.inputs.retentionInDays).toBe(30);
  });

  it("spreads public and private subnets over two zones; private ones route out through NAT only", () => {
    const subnets = graph().ofType("aws:ec2/subnet:Subnet");
    const zones = (publicIp: boolean) =>
      new Set(subnets.filter((s) => s.inputs.mapPublicIpOnLaunch === publicIp).map((s) => s.inputs.availabilityZone));
    expect(zones(true)).toEqual(new Set(["eu-west-1a", "eu-west-1b"]));
    expect(zones(false)).toEqual(new Set(["eu-west-1a", "eu-west-1b"]));
    const privateTables = graph()
      .ofType("aws:ec2/routeTable:RouteTable")
      .filter((t) => t.name.includes("-private-"));
    expect(privateTables).toHaveLength(2);
    for (const table of privateTables) {
      expect(at(table.inputs, "routes", 0, "natGatewayId")).toEqual(expect.stringMatching(/\S/));
      expect(at(table.inputs, "routes", 0, "gatewayId")).toBeUndefined();
    }
  });

  it("keeps the database private, encrypted, backed up and protected from deletion", () => {
    const db = graph().named("aws:rds/instance:Instance", `${app()}-db-instance`);
    expect(db.inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16",
      publiclyAccessible: false,
      storageEncrypted: true,
      multiAz: true,
      backupRetentionPeriod: platform.database.backupRetentionDays,
      deletionProtection: true,
      allocatedStorage: platform.database.storageGb,
    });
  });

  it("logs every connection and disconnection and exports the PostgreSQL log to groups that expire", () => {
    const g = graph();
    const db = g.named("aws:rds/instance:Instance", `${app()}-db-instance`);
    const params = g.withOutput("aws:rds/parameterGroup:ParameterGroup", "name", db.inputs.parameterGroupName);
    expect(params?.inputs.parameters).toEqual(
      expect.arrayContaining([
        { name: "log_connections", value: "1" },
        { name: "log_disconnections", value: "1" },
      ]),
    );
    expect(db.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
    for (const log of ["postgresql", "upgrade"]) {
      const group = g
        .ofType("aws:cloudwatch/logGroup:LogGroup")
        .find((l) => l.inputs.name === `/aws/rds/instance/${String(db.inputs.identifier)}/${log}`);
      expect(group?.inputs.retentionInDays, log).toBe(30);
    }
  });

  it("admits to the database and the cache only their client groups, never an address range", () => {
    const g = graph();
    const rules = (groupIds: unknown) =>
      asArray(groupIds).flatMap((id) =>
        asArray(g.withOutput("aws:ec2/securityGroup:SecurityGroup", "id", id)?.inputs.ingress),
      );
    const db = g.named("aws:rds/instance:Instance", `${app()}-db-instance`);
    const redis = g.named("aws:elasticache/replicationGroup:ReplicationGroup", `${app()}-cache-redis`);
    for (const [what, groupIds, port] of [
      ["database", db.inputs.vpcSecurityGroupIds, 5432],
      ["cache", redis.inputs.securityGroupIds, 6379],
    ] as const) {
      const clients = g.named("aws:ec2/securityGroup:SecurityGroup", `${app()}-network-${what}-clients`);
      expect(rules(groupIds), what).toEqual([
        { protocol: "tcp", fromPort: port, toPort: port, securityGroups: [clients.id] },
      ]);
    }
  });

  it("runs Redis with TLS, AUTH, encryption at rest and a failover replica", () => {
    const redis = graph().named("aws:elasticache/replicationGroup:ReplicationGroup", `${app()}-cache-redis`);
    expect(redis.inputs).toMatchObject({
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      automaticFailoverEnabled: true,
      numCacheClusters: 2,
      nodeType: "cache.t4g.small",
      engineVersion: "7.1",
    });
    expect(String(redis.inputs.authToken)).toMatch(/^[A-Za-z0-9]{48}$/);
  });

  it("makes ordered topics FIFO end to end and redrives after maxAttempts", () => {
    for (const subscription of platform.subscriptions) {
      const queue = graph().named("aws:sqs/queue:Queue", `${app()}-broker-${subscription.name}`);
      expect(String(queue.inputs.name)).toMatch(/\.fifo$/);
      expect(queue.inputs.visibilityTimeoutSeconds).toBe(subscription.lockMs / 1000);
      expect(queue.inputs.sqsManagedSseEnabled).toBe(true);
      const redrive = parseJson(queue.inputs.redrivePolicy, "redrive") as { maxReceiveCount: number };
      expect(redrive.maxReceiveCount).toBe(subscription.maxAttempts);
    }
  });

  it("tells the SNS/SQS adapter its topics are FIFO and gives it topic ARNs and queue URLs", () => {
    const tasks = stack().reading.environments.tasks?.plain ?? {};
    expect(tasks.SNS_SQS_FIFO).toBe("true");
    expect(JSON.parse(tasks.BROKER_TOPICS ?? "{}")["task-events"]).toMatch(/^arn:aws:sns:.*\.fifo$/);
    expect(JSON.parse(tasks.BROKER_SUBSCRIPTIONS ?? "{}")["tasks-activity"]).toMatch(/^https:\/\/sqs\..*\.fifo$/);
    // The gateway only consumes (API key revocations): the setting and its own queue, no topic.
    const gateway = stack().reading.environments.gateway?.plain ?? {};
    expect(gateway.SNS_SQS_FIFO).toBe("true");
    expect(gateway.BROKER_TOPICS).toBeUndefined();
    expect(Object.keys(JSON.parse(gateway.BROKER_SUBSCRIPTIONS ?? "{}"))).toEqual(["gateway-identity-events"]);
  });

  it("puts only the gateway behind the internet-facing load balancer", () => {
    const lbs = graph().ofType("aws:lb/loadBalancer:LoadBalancer");
    const internetFacing = lbs.filter((lb) => lb.inputs.internal === false);
    expect(internetFacing).toHaveLength(1);
    const rules = graph().ofType("aws:lb/listenerRule:ListenerRule");
    expect(rules.map((r) => r.name)).toEqual([`${app()}-gateway-route`]);
    for (const service of graph().ofType("aws:ecs/service:Service")) {
      expect(at(service.inputs, "networkConfiguration", "assignPublicIp")).toBe(false);
    }
    const openToWorld = graph()
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0");
    expect(openToWorld.map((r) => r.inputs.fromPort)).toEqual([80]);
  });

  it("sizes each task to a Fargate combination and ships its logs to its own group", () => {
    for (const service of platform.services) {
      const task = graph().named("aws:ecs/taskDefinition:TaskDefinition", `${app()}-${service.name}-task`);
      expect(task.inputs).toMatchObject({ cpu: "256", memory: "512", networkMode: "awsvpc" });
      const container = at(parseJson(task.inputs.containerDefinitions, "definitions"), 0);
      expect(at(container, "logConfiguration", "options", "awslogs-group")).toBe(`/taskflow/${app()}/${service.name}`);
      expect(at(container, "command")).toEqual([`dist/services/${service.name}/main.js`]);
      expect(String(at(container, "image"))).toMatch(/\.dkr\.ecr\..*:1\.0\.0$/);
    }
  });
});
