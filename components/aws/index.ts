import type { Platform } from "../api/platform.js";
import { AwsCache } from "./cache.js";
import { AwsCluster } from "./cluster.js";
import { AwsDatabase } from "./database.js";
import { AwsLogs } from "./logs.js";
import { AwsMessaging } from "./messaging.js";
import { AwsNetwork } from "./network.js";
import { AwsRegistry } from "./registry.js";
import { AwsSecret } from "./secrets.js";
import type { AwsSettings } from "./settings.js";

/**
 * AWS: ECS Fargate behind ALBs, RDS, ElastiCache, SNS + SQS, ECR, Secrets Manager, CloudWatch,
 * every component in the stack's region.
 */
export function createAwsPlatform(settings: AwsSettings): Platform {
  const placement = { region: settings.region };
  return {
    provider: "aws",
    network: (name, args, opts) => new AwsNetwork(name, { ...args, ...placement }, opts),
    database: (name, args, opts) => new AwsDatabase(name, { ...args, ...placement }, opts),
    cache: (name, args, opts) => new AwsCache(name, { ...args, ...placement }, opts),
    messaging: (name, args, opts) => new AwsMessaging(name, { ...args, ...placement }, opts),
    registry: (name, args, opts) => new AwsRegistry(name, { ...args, ...placement }, opts),
    secret: (name, args, opts) => new AwsSecret(name, { ...args, ...placement }, opts),
    logs: (name, args, opts) => new AwsLogs(name, { ...args, ...placement }, opts),
    cluster: (name, args, opts) =>
      new AwsCluster(
        name,
        { ...args, ...placement, certificateArn: settings.certificateArn, allowPlainHttp: settings.allowPlainHttp },
        opts,
      ),
    providerEnvironment: () => ({ AWS_REGION: settings.region }),
  } satisfies Platform;
}

export { AwsContainerService } from "./container-service.js";
export { AwsCache, AwsCluster, AwsDatabase, AwsLogs, AwsMessaging, AwsNetwork, AwsRegistry, AwsSecret };
