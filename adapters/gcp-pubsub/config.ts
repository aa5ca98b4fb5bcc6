import { z } from "zod";
import { brokerNameMaps, type Env, readConfig } from "../core/config.js";

/** Settings of the Pub/Sub broker; what `createBrokerFromEnv` reads. */
export interface PubSubBrokerOptions {
  readonly projectId: string;
  /** `host:port` of the Pub/Sub emulator; Google's endpoint when unset. */
  readonly emulatorHost?: string;
  /** Logical topic → `projects/<p>/topics/<id>`, as the stacks inject them. */
  readonly topics?: Readonly<Record<string, string>>;
  /** Logical subscription → `projects/<p>/subscriptions/<id>`, as the stacks inject them. */
  readonly subscriptions?: Readonly<Record<string, string>>;
  /** Create missing topics and subscriptions on first use. @default true */
  readonly autoCreate?: boolean;
  /** Prepended to derived resource ids so several deployments share a project. @default "" */
  readonly namePrefix?: string;
  /** Longest wait of one pull call, in milliseconds; `close()` may wait this long. @default 5_000 */
  readonly pullTimeoutMs?: number;
}

const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === "true" || value === "1"));

const schema = brokerNameMaps
  .extend({
    GCP_PROJECT: z
      .string()
      .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a project id: 6-30 lowercase letters, digits and -")
      .optional(),
    PUBSUB_EMULATOR_HOST: z
      .string()
      .regex(/^[^:/\s]+:\d+$/, "must be host:port, e.g. 127.0.0.1:8085")
      .optional(),
    PUBSUB_AUTO_CREATE: flag,
    PUBSUB_NAME_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_.-]*$/, "may hold only letters, digits, -, _ and .")
      .max(20)
      .default(""),
  })
  .superRefine((env, ctx) => {
    if (!env.GCP_PROJECT && !env.PUBSUB_EMULATOR_HOST) {
      ctx.addIssue({ code: "custom", path: ["GCP_PROJECT"], message: "is required for BROKER=gcp-pubsub" });
    }
  });

const HINTS: Record<string, string> = {
  GCP_PROJECT: "set it to the project that holds the topics, e.g. taskflow-prod",
  PUBSUB_EMULATOR_HOST: "set it to the emulator's address, or unset it to reach Google",
  PUBSUB_AUTO_CREATE: "set it to false where the stacks own the topics and subscriptions",
};

/** The project used against the emulator when none is given; the emulator accepts any. */
export const EMULATOR_PROJECT = "taskflow-local";

export function readPubSubConfig(env: Env): PubSubBrokerOptions {
  const config = readConfig(schema, env, HINTS);
  const mapped = Object.keys(config.BROKER_TOPICS).length > 0 || Object.keys(config.BROKER_SUBSCRIPTIONS).length > 0;
  return {
    projectId: config.GCP_PROJECT ?? EMULATOR_PROJECT,
    emulatorHost: config.PUBSUB_EMULATOR_HOST,
    topics: config.BROKER_TOPICS,
    subscriptions: config.BROKER_SUBSCRIPTIONS,
    // Deployed containers get their names from the stacks, which own the resources.
    autoCreate: config.PUBSUB_AUTO_CREATE ?? !mapped,
    namePrefix: config.PUBSUB_NAME_PREFIX,
  };
}
