import type { Platform } from "../api/platform.js";
import { AwsCache } from "./cache.js";
import { AwsCluster } from "./cluster.js";
import { AwsDatabase } from "./database.js";
import { AwsLogs } from "./logs.js";
import { AwsMessaging } from "./messaging.js";
import { AwsNetwork } from "./network.js";
import { AwsRegistry } from "./registry.js";
import { AwsSecret } from "./secrets.js";

/** AWS: ECS Fargate behind ALBs, RDS, ElastiCache, SNS + SQS, ECR, Secrets Manager, CloudWatch. */
export const aws = {
  provider: "aws",
  network: (name, args, opts) => new AwsNetwork(name, args, opts),
  database: (name, args, opts) => new AwsDatabase(name, args, opts),
  cache: (name, args, opts) => new AwsCache(name, args, opts),
  messaging: (name, args, opts) => new AwsMessaging(name, args, opts),
  registry: (name, args, opts) => new AwsRegistry(name, args, opts),
  secret: (name, args, opts) => new AwsSecret(name, args, opts),
  logs: (name, args, opts) => new AwsLogs(name, args, opts),
  cluster: (name, args, opts) => new AwsCluster(name, args, opts),
  providerEnvironment: ({ region }) => ({ AWS_REGION: region }),
} satisfies Platform;

export { AwsContainerService } from "./container-service.js";
export { AwsCache, AwsCluster, AwsDatabase, AwsLogs, AwsMessaging, AwsNetwork, AwsRegistry, AwsSecret };
