/**
 * List prices the estimate uses, per target and region. Each line names the public pricing page
 * it comes from and when it was read. They were recorded from the pages as last read (month
 * given), not re-read live here: check the page before you rely on a figure.
 */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly read: string;
}

const p = (usd: number, unit: string, source: string, read = "list price as of November 2026"): Price => ({
  usd,
  unit,
  source,
  read,
});

const AWS_EU_WEST_1 = {
  fargateVcpuHour: p(0.04048, "vCPU-hour (Linux/x86)", "https://aws.amazon.com/fargate/pricing/"),
  fargateGbHour: p(0.004445, "GB-hour", "https://aws.amazon.com/fargate/pricing/"),
  "rds:db.t4g.micro": p(0.018, "instance-hour, Single-AZ", "https://aws.amazon.com/rds/postgresql/pricing/"),
  "rds:db.t4g.small": p(0.036, "instance-hour, Single-AZ", "https://aws.amazon.com/rds/postgresql/pricing/"),
  "rds:db.t4g.medium": p(0.072, "instance-hour, Single-AZ", "https://aws.amazon.com/rds/postgresql/pricing/"),
  "rds:db.t4g.large": p(0.145, "instance-hour, Single-AZ", "https://aws.amazon.com/rds/postgresql/pricing/"),
  "rds:db.m7g.large": p(0.186, "instance-hour, Single-AZ", "https://aws.amazon.com/rds/postgresql/pricing/"),
  rdsGp3GbMonth: p(0.127, "GB-month gp3, Single-AZ", "https://aws.amazon.com/rds/postgresql/pricing/"),
  "cache:cache.t4g.micro": p(0.018, "node-hour", "https://aws.amazon.com/elasticache/pricing/"),
  "cache:cache.t4g.small": p(0.036, "node-hour", "https://aws.amazon.com/elasticache/pricing/"),
  "cache:cache.t4g.medium": p(0.073, "node-hour", "https://aws.amazon.com/elasticache/pricing/"),
  albHour: p(0.0252, "load-balancer-hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"),
  albLcuHour: p(0.008, "LCU-hour", "https://aws.amazon.com/elasticloadbalancing/pricing/"),
  natHour: p(0.048, "NAT-gateway-hour", "https://aws.amazon.com/vpc/pricing/"),
  natGb: p(0.048, "GB processed", "https://aws.amazon.com/vpc/pricing/"),
  publicIpv4Hour: p(0.005, "public IPv4 address-hour", "https://aws.amazon.com/vpc/pricing/"),
  secretMonth: p(0.4, "secret-month", "https://aws.amazon.com/secrets-manager/pricing/"),
  logsIngestGb: p(0.57, "GB ingested", "https://aws.amazon.com/cloudwatch/pricing/"),
  logsStoreGbMonth: p(0.03, "GB-month stored", "https://aws.amazon.com/cloudwatch/pricing/"),
  sqsFifoMillion: p(0.5, "million FIFO requests (64 KB chunks)", "https://aws.amazon.com/sqs/pricing/"),
  snsFifoMillion: p(0.3, "million FIFO publishes", "https://aws.amazon.com/sns/pricing/"),
  ecrGbMonth: p(0.1, "GB-month stored", "https://aws.amazon.com/ecr/pricing/"),
  s3GbMonth: p(0.023, "GB-month S3 Standard (first 50 TB)", "https://aws.amazon.com/s3/pricing/"),
};

const GCP_EUROPE_WEST1 = {
  runVcpuSecond: p(0.000018, "vCPU-second (instance-based billing)", "https://cloud.google.com/run/pricing"),
  runGibSecond: p(0.000002, "GiB-second (instance-based billing)", "https://cloud.google.com/run/pricing"),
  sqlVcpuHour: p(0.0413, "vCPU-hour, Enterprise, zonal", "https://cloud.google.com/sql/pricing"),
  sqlGbHour: p(0.007, "GB-hour memory, Enterprise, zonal", "https://cloud.google.com/sql/pricing"),
  sqlSsdGbMonth: p(0.187, "GB-month SSD, zonal", "https://cloud.google.com/sql/pricing"),
  redisBasicGbHour: p(0.054, "GB-hour, Basic M1 (1-4 GB)", "https://cloud.google.com/memorystore/docs/redis/pricing"),
  redisStandardGbHour: p(
    0.07,
    "GB-hour, Standard M1 (1-4 GB)",
    "https://cloud.google.com/memorystore/docs/redis/pricing",
  ),
  pubsubTib: p(40, "TiB of message throughput (first 10 GiB free)", "https://cloud.google.com/pubsub/pricing"),
  secretVersionMonth: p(0.06, "active secret version-month", "https://cloud.google.com/secret-manager/pricing"),
  registryGbMonth: p(0.1, "GB-month stored (first 0.5 GB free)", "https://cloud.google.com/artifact-registry/pricing"),
  natGatewayHour: p(
    0.0014,
    "gateway-hour per VM-equivalent (Cloud Run counts one)",
    "https://cloud.google.com/nat/pricing",
  ),
  natGb: p(0.045, "GiB processed", "https://cloud.google.com/nat/pricing"),
  loggingGib: p(0.5, "GiB ingested (first 50 GiB per project free)", "https://cloud.google.com/stackdriver/pricing"),
};

/** Pay-as-you-go list prices for West Europe, in USD, from Azure's public pricing pages. */
const AZ = "https://azure.microsoft.com/en-us/pricing/details";
const az = (usd: number, unit: string, page: string) => p(usd, unit, `${AZ}/${page}/`, "list price as of June 2025");
const AZURE_WESTEUROPE = {
  appsVcpuSecond: az(0.000024, "vCPU-second (Consumption, active rate)", "container-apps"),
  appsGibSecond: az(0.000003, "GiB-second (Consumption, active rate)", "container-apps"),
  appsRequestsMillion: az(0.4, "million requests (first 2 million per subscription free)", "container-apps"),
  "postgres:Standard_B1ms": az(0.022, "server-hour, Burstable B1ms", "postgresql/flexible-server"),
  "postgres:Standard_B2s": az(0.088, "server-hour, Burstable B2s", "postgresql/flexible-server"),
  "postgres:Standard_D2ds_v5": az(0.191, "server-hour, General Purpose D2ds_v5", "postgresql/flexible-server"),
  "postgres:Standard_D4ds_v5": az(0.382, "server-hour, General Purpose D4ds_v5", "postgresql/flexible-server"),
  postgresStorageGbMonth: az(0.131, "GB-month provisioned storage", "postgresql/flexible-server"),
  "redis:Balanced_B0": az(0.0415, "hour, Balanced B0 with high availability", "managed-redis"),
  "redis:Balanced_B1": az(0.0826, "hour, Balanced B1 with high availability", "managed-redis"),
  "redis:Balanced_B3": az(0.164, "hour, Balanced B3 with high availability", "managed-redis"),
  "redis:Balanced_B5": az(0.326, "hour, Balanced B5 with high availability", "managed-redis"),
  serviceBusStandardHour: az(
    0.0135,
    "namespace-hour, Standard (13 million operations a month included)",
    "service-bus",
  ),
  serviceBusOpsMillion: az(0.8, "million operations over the included 13 million", "service-bus"),
  registryBasicDay: az(0.167, "registry-day, Basic (10 GB included)", "container-registry"),
  logAnalyticsGb: az(2.76, "GB ingested, Analytics logs (first 5 GB per billing account free)", "monitor"),
  logAnalyticsRetentionGbMonth: az(0.12, "GB-month kept beyond the included 31 days", "monitor"),
  flowLogsGb: az(0.5, "GB of VNet flow logs collected (first 5 GB per subscription free)", "network-watcher"),
  blobHotLrsGbMonth: az(0.0208, "GB-month, Blob hot tier, LRS", "storage/blobs"),
  privateEndpointHour: az(0.01, "private endpoint-hour", "private-link"),
  privateDnsZoneMonth: az(0.5, "hosted private zone-month (first 25 zones)", "dns"),
  keyVaultTenThousandOps: az(0.03, "10,000 secret operations, Standard", "key-vault"),
};

/**
 * Kubernetes runs on a cluster the stack does not create, so its figures are the share of node
 * capacity the stack's pods request, priced at one reference node type, plus the volumes they
 * claim. The cluster's control plane and ingress load balancer are outside the stack.
 */
const KUBERNETES_REFERENCE = {
  // m7i.large in eu-west-1: 2 vCPU, 8 GiB at $0.1134/h, split evenly between CPU and memory.
  nodeVcpuHour: p(
    0.02835,
    "requested vCPU-hour (half of an m7i.large, eu-west-1, per vCPU)",
    "https://aws.amazon.com/ec2/pricing/on-demand/",
  ),
  nodeGibHour: p(
    0.00709,
    "requested GiB-hour (half of an m7i.large, eu-west-1, per GiB)",
    "https://aws.amazon.com/ec2/pricing/on-demand/",
  ),
  volumeGbMonth: p(0.088, "GB-month gp3 volume, eu-west-1", "https://aws.amazon.com/ebs/pricing/"),
};

export const PRICE_TABLES = {
  aws: { "eu-west-1": AWS_EU_WEST_1 },
  gcp: { "europe-west1": GCP_EUROPE_WEST1 },
  azure: { westeurope: AZURE_WESTEUROPE },
  kubernetes: { reference: KUBERNETES_REFERENCE },
} as const;

export type AwsPrices = typeof AWS_EU_WEST_1;
export type GcpPrices = typeof GCP_EUROPE_WEST1;
export type AzurePrices = typeof AZURE_WESTEUROPE;
export type KubernetesPrices = typeof KUBERNETES_REFERENCE;
