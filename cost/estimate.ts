import { at, list } from "../policy/rule.js";
import {
  type AwsPrices,
  type AzurePrices,
  type GcpPrices,
  type KubernetesPrices,
  PRICE_TABLES,
  type Price,
} from "./prices.js";
import { HOURS_PER_MONTH, WORKLOAD } from "./workload.js";

export interface Resource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly state: Record<string, unknown>;
}

/** One priced part: fixed monthly at minimum and maximum scale, or usage at the stated workload. */
export interface Line {
  readonly resource: string;
  readonly type: string;
  readonly item: string;
  readonly min: number;
  readonly max: number;
  readonly usage: boolean;
  readonly price: Price;
}

export interface Estimate {
  readonly target: string;
  readonly region: string;
  readonly lines: Line[];
  readonly fixed: { min: number; max: number };
  readonly usage: number;
  readonly total: { min: number; max: number };
}

type Pricer<P> = (r: Resource, graph: readonly Resource[], prices: P) => Line[];

const line = (r: Resource, item: string, price: Price, minQty: number, maxQty = minQty, usage = false): Line => ({
  resource: r.name,
  type: r.type,
  item,
  min: minQty * price.usd,
  max: maxQty * price.usd,
  usage,
  price,
});
const monthly = HOURS_PER_MONTH;
const seconds = HOURS_PER_MONTH * 3600;
const ofType = (graph: readonly Resource[], type: string) => graph.filter((r) => r.type === type);

/** Memory quantity ("512Mi", "2Gi", "1280Mi") in GiB. */
export function gib(quantity: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)?$/.exec(String(quantity ?? "0"));
  if (!m) throw new Error(`[taskflow] [cost] cannot read the memory quantity "${String(quantity)}"`);
  return Number(m[1]) / (m[2] === "Mi" ? 1024 : 1);
}
/** CPU quantity ("250m", "1", 2) in cores. */
export function cores(quantity: unknown): number {
  const text = String(quantity ?? "0");
  return text.endsWith("m") ? Number(text.slice(0, -1)) / 1000 : Number(text);
}

const AWS: Record<string, Pricer<AwsPrices>> = {
  "aws:ecs/service:Service": (r, graph, prices) => {
    const task = ofType(graph, "aws:ecs/taskDefinition:TaskDefinition").find(
      (t) => t.state.arn === r.state.taskDefinition,
    );
    const target = ofType(graph, "aws:appautoscaling/target:Target").find((t) =>
      String(t.state.resourceId).endsWith(`/${String(r.state.name)}`),
    );
    const vcpu = Number(task?.state.cpu ?? 0) / 1024;
    const gb = Number(task?.state.memory ?? 0) / 1024;
    const min = Number(target?.state.minCapacity ?? r.state.desiredCount ?? 1);
    const max = Number(target?.state.maxCapacity ?? min);
    return [
      line(
        r,
        `Fargate ${vcpu} vCPU x ${min}-${max} tasks`,
        prices.fargateVcpuHour,
        vcpu * min * monthly,
        vcpu * max * monthly,
      ),
      line(r, `Fargate ${gb} GB x ${min}-${max} tasks`, prices.fargateGbHour, gb * min * monthly, gb * max * monthly),
    ];
  },
  "aws:rds/instance:Instance": (r, _g, prices) => {
    const cls = String(r.state.instanceClass);
    const price = (prices as Record<string, Price>)[`rds:${cls}`];
    if (!price) throw new Error(`[taskflow] [cost] no RDS price for ${cls} in cost/prices.ts`);
    const copies = r.state.multiAz === true ? 2 : 1;
    const storage = Number(r.state.allocatedStorage ?? 20);
    return [
      line(r, `${cls}${copies === 2 ? " Multi-AZ (2 instances)" : ""}`, price, copies * monthly),
      line(r, `${storage} GB gp3 x ${copies}`, prices.rdsGp3GbMonth, storage * copies),
    ];
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": (r, _g, prices) => {
    const node = String(r.state.nodeType);
    const price = (prices as Record<string, Price>)[`cache:${node}`];
    if (!price) throw new Error(`[taskflow] [cost] no ElastiCache price for ${node} in cost/prices.ts`);
    const nodes = Number(r.state.numCacheClusters ?? 1);
    return [line(r, `${nodes} x ${node}`, price, nodes * monthly)];
  },
  "aws:lb/loadBalancer:LoadBalancer": (r, _g, prices) => [
    line(r, "ALB hours", prices.albHour, monthly),
    // One LCU covers 25 new connections/s or 1 GB/h; a small app stays near one at peak, a fraction at rest.
    line(r, "LCU (0.1-1 average)", prices.albLcuHour, 0.1 * monthly, monthly),
  ],
  "aws:ec2/natGateway:NatGateway": (r, graph, prices) => {
    const nats = ofType(graph, r.type).length;
    return [
      line(r, "NAT gateway hours", prices.natHour, monthly),
      line(
        r,
        `${WORKLOAD.natGibPerMonth / nats} GB processed`,
        prices.natGb,
        WORKLOAD.natGibPerMonth / nats,
        WORKLOAD.natGibPerMonth / nats,
        true,
      ),
    ];
  },
  "aws:ec2/eip:Eip": (r, _g, prices) => [line(r, "public IPv4 address", prices.publicIpv4Hour, monthly)],
  "aws:secretsmanager/secret:Secret": (r, _g, prices) => [line(r, "secret", prices.secretMonth, 1)],
  "aws:cloudwatch/logGroup:LogGroup": (r, graph, prices) => {
    const groups = ofType(graph, r.type).length;
    const gb = WORKLOAD.logGibPerMonth / groups;
    const days = Number(r.state.retentionInDays ?? 30);
    return [
      line(r, `${gb.toFixed(1)} GB ingested`, prices.logsIngestGb, gb, gb, true),
      line(
        r,
        `${((gb * days) / 30).toFixed(1)} GB kept ${days} days`,
        prices.logsStoreGbMonth,
        (gb * days) / 30,
        (gb * days) / 30,
        true,
      ),
    ];
  },
  "aws:sqs/queue:Queue": (r, graph, prices) => {
    if (!r.state.redrivePolicy) return [];
    // Each delivered message costs a receive and a delete; long polling adds about one empty receive per 20 s per consumer.
    const queues = ofType(graph, r.type).filter((q) => q.state.redrivePolicy).length;
    const requests = (WORKLOAD.messagesPerMonth * 2) / queues + seconds / 20;
    return [
      line(r, `${(requests / 1e6).toFixed(2)} M requests`, prices.sqsFifoMillion, requests / 1e6, requests / 1e6, true),
    ];
  },
  "aws:sns/topic:Topic": (r, graph, prices) => {
    const topics = ofType(graph, r.type).length;
    const publishes = WORKLOAD.messagesPerMonth / topics / 1e6;
    return [line(r, `${publishes.toFixed(2)} M publishes`, prices.snsFifoMillion, publishes, publishes, true)];
  },
  "aws:s3/bucket:Bucket": (r, graph, prices) => {
    // The access-log bucket: what the month's requests write, kept as long as its lifecycle rule
    // (named after the bucket) says.
    const lifecycle = ofType(graph, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").find(
      (l) => l.name === r.name,
    );
    const days = Number(at(list(lifecycle?.inputs.rules)[0], "expiration", "days") ?? 30);
    const gb = ((WORKLOAD.requestsPerMonth * WORKLOAD.accessLogBytesPerRequest) / 2 ** 30) * (days / 30);
    return [line(r, `${gb.toFixed(2)} GB access logs kept ${days} days`, prices.s3GbMonth, gb, gb, true)];
  },
  "aws:ecr/repository:Repository": (r, _g, prices) => [
    line(r, `${WORKLOAD.registryGib} GB images`, prices.ecrGbMonth, WORKLOAD.registryGib, WORKLOAD.registryGib, true),
  ],
};

const GCP: Record<string, Pricer<GcpPrices>> = {
  "gcp:cloudrunv2/service:Service": (r, _g, prices) => {
    const container = list(at(r.state, "template", "containers"))[0];
    const vcpu = cores(at(container, "resources", "limits", "cpu") ?? 1);
    const mem = gib(at(container, "resources", "limits", "memory") ?? "512Mi");
    const min = Number(at(r.state, "template", "scaling", "minInstanceCount") ?? 0);
    const max = Number(at(r.state, "template", "scaling", "maxInstanceCount") ?? min);
    return [
      line(
        r,
        `${vcpu} vCPU always allocated x ${min}-${max} instances`,
        prices.runVcpuSecond,
        vcpu * min * seconds,
        vcpu * max * seconds,
      ),
      line(r, `${mem} GiB x ${min}-${max} instances`, prices.runGibSecond, mem * min * seconds, mem * max * seconds),
    ];
  },
  "gcp:sql/databaseInstance:DatabaseInstance": (r, _g, prices) => {
    const tier = String(at(r.state, "settings", "tier"));
    const m = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    if (!m)
      throw new Error(
        `[taskflow] [cost] no Cloud SQL price for tier ${tier}; cost/estimate.ts reads db-custom-<vcpu>-<mb>`,
      );
    const copies = at(r.state, "settings", "availabilityType") === "REGIONAL" ? 2 : 1;
    const vcpu = Number(m[1]);
    const gb = Number(m[2]) / 1024;
    const disk = Number(at(r.state, "settings", "diskSize") ?? 10);
    const ha = copies === 2 ? " regional (HA, billed twice)" : "";
    return [
      line(r, `${vcpu} vCPU${ha}`, prices.sqlVcpuHour, vcpu * copies * monthly),
      line(r, `${gb} GB memory${ha}`, prices.sqlGbHour, gb * copies * monthly),
      line(r, `${disk} GB SSD${ha}`, prices.sqlSsdGbMonth, disk * copies),
    ];
  },
  "gcp:redis/instance:Instance": (r, _g, prices) => {
    const gb = Number(r.state.memorySizeGb ?? 1);
    const standard = r.state.tier === "STANDARD_HA";
    return [
      line(
        r,
        `${gb} GB ${standard ? "Standard (HA)" : "Basic"}`,
        standard ? prices.redisStandardGbHour : prices.redisBasicGbHour,
        gb * monthly,
      ),
    ];
  },
  "gcp:pubsub/topic:Topic": (r, graph, prices) => {
    const subscriptions = ofType(graph, "gcp:pubsub/subscription:Subscription").filter(
      (s) => s.state.topic === r.state.id,
    ).length;
    const topics = ofType(graph, r.type).filter((t) => !String(t.state.name).endsWith("-dlq")).length;
    if (String(r.state.name).endsWith("-dlq")) return [];
    // Publish and each subscription's delivery are billed as throughput, at least 1 KB per message.
    const tib =
      ((WORKLOAD.messagesPerMonth / topics) * Math.max(1, WORKLOAD.messageKib) * (1 + subscriptions)) / 1024 ** 3;
    return [
      line(r, `${(tib * 1024).toFixed(2)} GiB throughput (free tier not deducted)`, prices.pubsubTib, tib, tib, true),
    ];
  },
  "gcp:secretmanager/secretVersion:SecretVersion": (r, _g, prices) => [
    line(r, "active version", prices.secretVersionMonth, 1),
  ],
  "gcp:artifactregistry/repository:Repository": (r, _g, prices) => [
    line(
      r,
      `${WORKLOAD.registryGib - 0.5} GB images over the free 0.5 GB`,
      prices.registryGbMonth,
      WORKLOAD.registryGib - 0.5,
      WORKLOAD.registryGib - 0.5,
      true,
    ),
  ],
  "gcp:compute/routerNat:RouterNat": (r, _g, prices) => [
    line(r, "NAT gateway", prices.natGatewayHour, monthly),
    line(
      r,
      `${WORKLOAD.natGibPerMonth} GiB processed`,
      prices.natGb,
      WORKLOAD.natGibPerMonth,
      WORKLOAD.natGibPerMonth,
      true,
    ),
  ],
  "gcp:logging/projectBucketConfig:ProjectBucketConfig": (r, _g, prices) => [
    // Within the first 50 GiB per project, ingestion is free; the line shows the list price.
    line(r, `${WORKLOAD.logGibPerMonth} GiB ingested (free under 50 GiB per project)`, prices.loggingGib, 0, 0, true),
  ],
};

/** A Container App's secret references, each read from Key Vault at start and on every refresh. */
const KEY_VAULT_REFRESHES_PER_MONTH = 2 * 24 * 30;

const AZURE: Record<string, Pricer<AzurePrices>> = {
  "azure-native:app:ContainerApp": (r, _g, prices) => {
    const container = list(at(r.state, "template", "containers"))[0];
    const vcpu = Number(at(container, "resources", "cpu") ?? 0.5);
    const mem = gib(at(container, "resources", "memory") ?? "1Gi");
    const min = Number(at(r.state, "template", "scale", "minReplicas") ?? 0);
    const max = Number(at(r.state, "template", "scale", "maxReplicas") ?? 10);
    const lines = [
      line(
        r,
        `${vcpu} vCPU x ${min}-${max} replicas`,
        prices.appsVcpuSecond,
        vcpu * min * seconds,
        vcpu * max * seconds,
      ),
      line(r, `${mem} GiB x ${min}-${max} replicas`, prices.appsGibSecond, mem * min * seconds, mem * max * seconds),
    ];
    // Requests are billed where they enter: the public app (free grant not deducted).
    if (at(r.state, "configuration", "ingress", "external") === true) {
      const millions = WORKLOAD.requestsPerMonth / 1e6;
      lines.push(line(r, `${millions} M requests`, prices.appsRequestsMillion, millions, millions, true));
    }
    return lines;
  },
  "azure-native:dbforpostgresql:Server": (r, _g, prices) => {
    const sku = String(at(r.state, "sku", "name"));
    const price = (prices as Record<string, Price>)[`postgres:${sku}`];
    if (!price) throw new Error(`[taskflow] [cost] no Flexible Server price for ${sku} in cost/prices.ts`);
    // A zone-redundant standby is billed as a second server with its own storage.
    const copies = at(r.state, "highAvailability", "mode") === "ZoneRedundant" ? 2 : 1;
    const storage = Number(at(r.state, "storage", "storageSizeGB") ?? 32);
    const ha = copies === 2 ? " + zone-redundant standby" : "";
    return [
      line(r, `${sku}${ha}`, price, copies * monthly),
      line(r, `${storage} GB storage x ${copies}`, prices.postgresStorageGbMonth, storage * copies),
    ];
  },
  "azure-native:redisenterprise:RedisEnterprise": (r, _g, prices) => {
    const sku = String(at(r.state, "sku", "name"));
    const price = (prices as Record<string, Price>)[`redis:${sku}`];
    if (!price) throw new Error(`[taskflow] [cost] no Azure Managed Redis price for ${sku} in cost/prices.ts`);
    // The listed price includes the replica; without high availability Azure bills half.
    const ha = r.state.highAvailability !== "Disabled";
    return [
      line(
        r,
        `${sku}${ha ? " with high availability" : " without high availability (half)"}`,
        price,
        (ha ? 1 : 0.5) * monthly,
      ),
    ];
  },
  "azure-native:servicebus:Namespace": (r, graph, prices) => {
    // A publish is one operation; each subscription's delivery is a receive and a complete.
    const subscriptions = ofType(graph, "azure-native:servicebus:Subscription").length;
    const topics = Math.max(1, ofType(graph, "azure-native:servicebus:Topic").length);
    const operations = WORKLOAD.messagesPerMonth * (1 + (2 * subscriptions) / topics);
    const over = Math.max(0, operations - 13e6) / 1e6;
    return [
      line(r, "Standard namespace", prices.serviceBusStandardHour, monthly),
      line(
        r,
        `${(operations / 1e6).toFixed(1)} M operations, ${over.toFixed(1)} M over the included 13 M`,
        prices.serviceBusOpsMillion,
        over,
        over,
        true,
      ),
    ];
  },
  "azure-native:containerregistry:Registry": (r, _g, prices) => [
    line(
      r,
      `Basic registry (${WORKLOAD.registryGib} GB images within the included 10 GB)`,
      prices.registryBasicDay,
      monthly / 24,
    ),
  ],
  "azure-native:operationalinsights:Workspace": (r, graph, prices) => {
    const gb = WORKLOAD.logGibPerMonth / (ofType(graph, "azure-native:network:FlowLog").length > 0 ? 2 : 1);
    const days = Number(r.state.retentionInDays ?? 30);
    const beyond = (gb * Math.max(0, days - 31)) / 30;
    return [
      line(r, `${gb} GB ingested (free 5 GB not deducted)`, prices.logAnalyticsGb, gb, gb, true),
      line(
        r,
        `${beyond.toFixed(1)} GB kept beyond 31 days (${days} days)`,
        prices.logAnalyticsRetentionGbMonth,
        beyond,
        beyond,
        true,
      ),
    ];
  },
  "azure-native:network:FlowLog": (r, _g, prices) => {
    const gb = WORKLOAD.logGibPerMonth / 2;
    return [line(r, `${gb} GB flow logs collected (free 5 GB not deducted)`, prices.flowLogsGb, gb, gb, true)];
  },
  "azure-native:storage:StorageAccount": (r, graph, prices) => {
    const log = ofType(graph, "azure-native:network:FlowLog")[0];
    const days = Number(at(log?.state, "retentionPolicy", "days") ?? 30);
    const gb = ((WORKLOAD.logGibPerMonth / 2) * days) / 30;
    return [line(r, `${gb.toFixed(1)} GB flow logs kept ${days} days`, prices.blobHotLrsGbMonth, gb, gb, true)];
  },
  "azure-native:network:PrivateEndpoint": (r, _g, prices) => [
    line(r, "private endpoint (data processed not counted)", prices.privateEndpointHour, monthly),
  ],
  "azure-native:privatedns:PrivateZone": (r, _g, prices) => [
    line(r, "private DNS zone", prices.privateDnsZoneMonth, 1),
  ],
  "azure-native:keyvault:Vault": (r, graph, prices) => {
    const reads = ofType(graph, "azure-native:app:ContainerApp").reduce(
      (n, app) =>
        n +
        list(at(app.state, "configuration", "secrets")).length *
          Number(at(app.state, "template", "scale", "minReplicas") ?? 1) *
          KEY_VAULT_REFRESHES_PER_MONTH,
      0,
    );
    return [
      line(
        r,
        `${reads.toLocaleString("en-US")} secret reads (each app's references at its floor, refreshed every 30 minutes)`,
        prices.keyVaultTenThousandOps,
        reads / 1e4,
        reads / 1e4,
        true,
      ),
    ];
  },
};

const KUBERNETES: Record<string, Pricer<KubernetesPrices>> = {
  "kubernetes:apps/v1:Deployment": (r, graph, prices) => {
    const hpa = ofType(graph, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find(
      (h) => at(h.state, "spec", "scaleTargetRef", "name") === at(r.state, "metadata", "name"),
    );
    const min = Number(at(hpa?.state, "spec", "minReplicas") ?? at(r.state, "spec", "replicas") ?? 1);
    const max = Number(at(hpa?.state, "spec", "maxReplicas") ?? min);
    return pods(r, prices, list(at(r.state, "spec", "template", "spec", "containers")), min, max);
  },
  "kubernetes:apps/v1:StatefulSet": (r, _g, prices) => {
    const replicas = Number(at(r.state, "spec", "replicas") ?? 1);
    const volume = list(at(r.state, "spec", "volumeClaimTemplates")).reduce<number>(
      (sum, claim) => sum + gib(at(claim, "spec", "resources", "requests", "storage")),
      0,
    );
    return [
      ...pods(r, prices, list(at(r.state, "spec", "template", "spec", "containers")), replicas, replicas),
      line(r, `${volume * replicas} GiB volumes`, prices.volumeGbMonth, volume * replicas),
    ];
  },
  "kubernetes:postgresql.cnpg.io/v1:Cluster": (r, _g, prices) => {
    const instances = Number(at(r.state, "spec", "instances") ?? 1);
    const size = gib(at(r.state, "spec", "storage", "size") ?? "1Gi");
    const cpu = cores(at(r.state, "spec", "resources", "requests", "cpu") ?? "250m");
    const mem = gib(at(r.state, "spec", "resources", "requests", "memory") ?? "512Mi");
    const note = at(r.state, "spec", "resources") ? "" : " (no requests set: 0.25 vCPU, 0.5 GiB assumed)";
    return [
      line(r, `${instances} x ${cpu} vCPU${note}`, prices.nodeVcpuHour, instances * cpu * monthly),
      line(r, `${instances} x ${mem} GiB`, prices.nodeGibHour, instances * mem * monthly),
      line(r, `${instances} x ${size} GiB volumes`, prices.volumeGbMonth, instances * size),
    ];
  },
  "kubernetes:kafka.strimzi.io/v1beta2:KafkaNodePool": (r, _g, prices) => {
    const replicas = Number(at(r.state, "spec", "replicas") ?? 1);
    const cpu = cores(at(r.state, "spec", "resources", "requests", "cpu"));
    const mem = gib(at(r.state, "spec", "resources", "requests", "memory"));
    const volume = list(at(r.state, "spec", "storage", "volumes")).reduce<number>(
      (sum, v) => sum + gib(at(v, "size")),
      0,
    );
    return [
      line(r, `${replicas} brokers x ${cpu} vCPU`, prices.nodeVcpuHour, replicas * cpu * monthly),
      line(r, `${replicas} brokers x ${mem} GiB`, prices.nodeGibHour, replicas * mem * monthly),
      line(r, `${replicas} x ${volume} GiB volumes`, prices.volumeGbMonth, replicas * volume),
    ];
  },
};

function pods(r: Resource, prices: KubernetesPrices, containers: unknown[], min: number, max: number): Line[] {
  const cpu = containers.reduce<number>((sum, c) => sum + cores(at(c, "resources", "requests", "cpu")), 0);
  const mem = containers.reduce<number>((sum, c) => sum + gib(at(c, "resources", "requests", "memory")), 0);
  return [
    line(
      r,
      `${cpu} vCPU requested x ${min}-${max} pods`,
      prices.nodeVcpuHour,
      cpu * min * monthly,
      cpu * max * monthly,
    ),
    line(r, `${mem} GiB requested x ${min}-${max} pods`, prices.nodeGibHour, mem * min * monthly, mem * max * monthly),
  ];
}

/**
 * Types that cost nothing by themselves, each with the reason; any type neither priced above nor
 * listed here stops the estimate, so a new billable resource cannot go uncounted.
 */
export const FREE: Record<string, string> = {
  "tls:index/privateKey:PrivateKey": "generated in the Pulumi state",
  "tls:index/certRequest:CertRequest": "generated in the Pulumi state",
  "tls:index/selfSignedCert:SelfSignedCert": "generated in the Pulumi state",
  "tls:index/locallySignedCert:LocallySignedCert": "generated in the Pulumi state",
  "random:index/randomPassword:RandomPassword": "generated in the Pulumi state",
  "aws:ecs/cluster:Cluster": "ECS clusters have no charge; Fargate tasks are priced on their service",
  "aws:ecs/taskDefinition:TaskDefinition": "priced through the service that runs it",
  "aws:appautoscaling/target:Target": "no charge",
  "aws:appautoscaling/policy:Policy": "no charge",
  "aws:rds/parameterGroup:ParameterGroup": "no charge",
  "aws:rds/subnetGroup:SubnetGroup": "no charge",
  "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
  "aws:ec2/vpc:Vpc": "no charge",
  "aws:ec2/subnet:Subnet": "no charge",
  "aws:ec2/internetGateway:InternetGateway": "no charge",
  "aws:ec2/routeTable:RouteTable": "no charge",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
  "aws:ec2/securityGroup:SecurityGroup": "no charge",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
  "aws:ec2/flowLog:FlowLog": "its volume is billed as ingestion on its log group",
  "aws:iam/role:Role": "no charge",
  "aws:iam/rolePolicy:RolePolicy": "no charge",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "no charge",
  "aws:secretsmanager/secretVersion:SecretVersion": "billed per secret",
  "aws:sns/topicSubscription:TopicSubscription": "SNS to SQS deliveries have no charge",
  "aws:sqs/queuePolicy:QueuePolicy": "no charge",
  "aws:lb/targetGroup:TargetGroup": "no charge",
  "aws:lb/listener:Listener": "billed through the load balancer's LCUs",
  "aws:lb/listenerRule:ListenerRule": "billed through the load balancer's LCUs",
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge",
  "aws:s3/bucketPolicy:BucketPolicy": "no charge",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge",
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "no charge; expiring objects is free",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "SSE-S3 has no charge",
  "gcp:compute/network:Network": "no charge",
  "gcp:compute/subnetwork:Subnetwork": "flow logs are billed as log ingestion",
  "gcp:compute/router:Router": "no charge",
  "gcp:compute/globalAddress:GlobalAddress": "an internal range for private services access, no charge",
  "gcp:servicenetworking/connection:Connection": "no charge",
  "gcp:serviceaccount/account:Account": "no charge",
  "gcp:projects/iAMMember:IAMMember": "no charge",
  "gcp:pubsub/topicIAMMember:TopicIAMMember": "no charge",
  "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember": "no charge",
  "gcp:pubsub/subscription:Subscription": "delivery is billed as throughput on its topic",
  "gcp:secretmanager/secret:Secret": "billed per active version",
  "gcp:secretmanager/secretIamMember:SecretIamMember": "no charge",
  "gcp:logging/projectSink:ProjectSink": "no charge; routed volume is billed on the bucket",
  "gcp:sql/database:Database": "part of its instance",
  "gcp:sql/user:User": "part of its instance",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember": "no charge",
  "random:index/randomString:RandomString": "generated in the Pulumi state",
  "azure-native:resources:ResourceGroup": "no charge",
  "azure-native:keyvault:Secret": "billed as operations on its vault",
  "azure-native:network:VirtualNetwork": "no charge",
  "azure-native:network:Subnet": "no charge",
  "azure-native:network:PrivateDnsZoneGroup": "no charge",
  "azure-native:privatedns:VirtualNetworkLink": "no charge for a link without auto-registration",
  "azure-native:dbforpostgresql:Configuration": "part of its server",
  "azure-native:dbforpostgresql:Database": "part of its server",
  "azure-native:authorization:ManagementLockByScope": "no charge",
  "azure-native:authorization:RoleAssignment": "no charge",
  "azure-native:managedidentity:UserAssignedIdentity": "no charge",
  "azure-native:redisenterprise:Database": "part of its cluster",
  "azure-native:servicebus:Topic": "billed as operations on the namespace",
  "azure-native:servicebus:Subscription": "billed as operations on the namespace",
  "azure-native:app:ManagedEnvironment": "a Consumption-only environment has no charge; apps are priced on their own",
  "azure-native:app:ManagedCertificate": "managed certificates have no charge",
  "azure-native:monitor:DiagnosticSetting": "no charge; what it sends is billed as ingestion on the workspace",
  "kubernetes:core/v1:Namespace": "an API object",
  "kubernetes:core/v1:Service":
    "ClusterIP: an API object (the ingress controller's load balancer is outside the stack)",
  "kubernetes:core/v1:ServiceAccount": "an API object",
  "kubernetes:core/v1:Secret": "an API object",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": "an API object",
  "kubernetes:networking.k8s.io/v1:Ingress": "served by the cluster's ingress controller, outside the stack",
  "kubernetes:policy/v1:PodDisruptionBudget": "an API object",
  "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": "priced through the Deployment it scales",
  "kubernetes:helm.sh/v3:Release": "operator pods, priced as the cluster's own overhead, not requested by the stack",
  "kubernetes:kafka.strimzi.io/v1beta2:Kafka": "its brokers are priced on the KafkaNodePool",
  "kubernetes:kafka.strimzi.io/v1beta2:KafkaTopic": "an API object",
  "kubernetes:kafka.strimzi.io/v1beta2:KafkaUser": "an API object",
};

const PRICERS = { aws: AWS, gcp: GCP, azure: AZURE, kubernetes: KUBERNETES } as const;

/** The stack setting that names a target's region: Azure calls it a location. */
export function regionOf(provider: string, config: Record<string, string>): string {
  return config[provider === "azure" ? "azure-native:location" : `${provider}:region`] ?? "";
}
export const PRICED_TYPES: Record<string, string[]> = Object.fromEntries(
  Object.entries(PRICERS).map(([target, pricers]) => [target, Object.keys(pricers)]),
);

/** Types in `graph` with neither a price nor a reason to be free. */
export function unpriced(target: string, graph: readonly Resource[]): string[] {
  const priced = PRICERS[target as keyof typeof PRICERS] ?? {};
  return [...new Set(graph.map((r) => r.type))].filter((t) => !(t in priced) && !(t in FREE)).sort();
}

export function estimate(target: string, region: string, graph: readonly Resource[]): Estimate {
  const tables = PRICE_TABLES[target as keyof typeof PRICE_TABLES] as Record<string, unknown> | undefined;
  const tableRegion = target === "kubernetes" ? "reference" : region;
  const prices = tables?.[tableRegion];
  if (!tables || !prices)
    throw new Error(
      `[taskflow] [cost] no price table for ${target} in ${region}; cost/prices.ts has ${tables ? Object.keys(tables).join(", ") : "no table for this target"}`,
    );
  const missing = unpriced(target, graph);
  if (missing.length > 0)
    throw new Error(
      `[taskflow] [cost] no price for ${missing.join(", ")}: add one to cost/estimate.ts, or list it in FREE with the reason`,
    );
  const pricers = PRICERS[target as keyof typeof PRICERS] as Record<string, Pricer<unknown>>;
  const lines = graph.flatMap((r) => pricers[r.type]?.(r, graph, prices) ?? []);
  const sum = (xs: Line[], key: "min" | "max") => xs.reduce((s, l) => s + l[key], 0);
  const fixedLines = lines.filter((l) => !l.usage);
  const usage = sum(
    lines.filter((l) => l.usage),
    "min",
  );
  const fixed = { min: sum(fixedLines, "min"), max: sum(fixedLines, "max") };
  return {
    target,
    region: tableRegion,
    lines,
    fixed,
    usage,
    total: { min: fixed.min + usage, max: fixed.max + usage },
  };
}
