import { z } from "zod";
import { brokerNameMaps, type Env, readConfig } from "../core/config.js";

/** Settings of the SNS + SQS broker; what `createBrokerFromEnv` reads. */
export interface SnsSqsBrokerOptions {
  readonly region: string;
  /** Endpoint of an emulator (fauxqs) or a VPC endpoint; the AWS default when unset. */
  readonly endpoint?: string;
  /** Static credentials, for an emulator; the SDK's default chain when unset. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /**
   * FIFO topics and queues: per-key order (message group = key) and de-duplication by message
   * id within SQS's five-minute window. Every topic and subscription of this instance is FIFO.
   * @default false
   */
  readonly fifo?: boolean;
  /** Logical topic → SNS topic ARN, as the stacks inject them. */
  readonly topics?: Readonly<Record<string, string>>;
  /** Logical subscription → SQS queue URL, as the stacks inject them. */
  readonly subscriptions?: Readonly<Record<string, string>>;
  /** Create missing topics, queues and SNS subscriptions on first use. @default true */
  readonly autoCreate?: boolean;
  /** Prepended to derived physical names so several deployments share an account. @default "" */
  readonly namePrefix?: string;
  /** Long-poll wait of one ReceiveMessage call, in seconds (0–20); `close()` may wait this long. @default 5 */
  readonly waitTimeSeconds?: number;
}

const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === "true" || value === "1"));

const schema = brokerNameMaps.extend({
  AWS_REGION: z.string().min(1).default("us-east-1"),
  AWS_ENDPOINT_URL: z.url().optional(),
  SNS_SQS_FIFO: flag,
  SNS_SQS_AUTO_CREATE: flag,
  SNS_SQS_NAME_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, "may hold only letters, digits, - and _")
    .max(20)
    .default(""),
});

const HINTS: Record<string, string> = {
  AWS_ENDPOINT_URL: "set it to the emulator's address, e.g. http://127.0.0.1:4566, or unset it for AWS",
  SNS_SQS_FIFO: "set it to true for FIFO topics and queues (ordered subscriptions), false otherwise",
  SNS_SQS_AUTO_CREATE: "set it to false where the stacks own the topics and queues",
};

/**
 * Reads the adapter's settings. Against an emulator (`AWS_ENDPOINT_URL` set) dummy
 * credentials are used; against AWS the SDK's default chain (task role) applies.
 */
export function readSnsSqsConfig(env: Env): SnsSqsBrokerOptions {
  const config = readConfig(schema, env, HINTS);
  const mapped = Object.keys(config.BROKER_TOPICS).length > 0 || Object.keys(config.BROKER_SUBSCRIPTIONS).length > 0;
  return {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    credentials: config.AWS_ENDPOINT_URL ? { accessKeyId: "test", secretAccessKey: "test" } : undefined,
    fifo: config.SNS_SQS_FIFO ?? false,
    topics: config.BROKER_TOPICS,
    subscriptions: config.BROKER_SUBSCRIPTIONS,
    // Deployed containers get their names from the stacks, which own the resources.
    autoCreate: config.SNS_SQS_AUTO_CREATE ?? !mapped,
    namePrefix: config.SNS_SQS_NAME_PREFIX,
  };
}
