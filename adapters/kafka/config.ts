import { z } from "zod";
import { brokerNameMaps, type Env, envFlag as flag, readConfig } from "../core/config.js";

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

/** How the client reaches the cluster; `sdk-client.ts` turns it into a kafkajs client. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  /** @default "taskflow" */
  readonly clientId: string;
  /** TLS to the brokers. @default false */
  readonly ssl: boolean;
  /** PEM of the CA that signs the brokers' certificates, trusted instead of Node's default roots (a cluster's own CA). */
  readonly ca?: string;
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
}

/** Settings of the Kafka broker adapter besides the client itself. */
export interface KafkaBrokerSettings {
  /** Create missing topics (and dead-letter topics) on first use. @default true */
  readonly autoCreate: boolean;
  /** Partitions of a topic the adapter creates; the most consumers of one subscription that share work. @default 6 */
  readonly partitions: number;
  /** Replicas of a topic the adapter creates; -1 takes the cluster's default. @default -1 */
  readonly replicationFactor: number;
  /** Logical topic → Kafka topic, as the stacks inject them. */
  readonly topics: Readonly<Record<string, string>>;
  /** Logical subscription → consumer group id, as the stacks inject them. */
  readonly subscriptions: Readonly<Record<string, string>>;
}

export interface KafkaConfig extends KafkaBrokerSettings {
  readonly connection: KafkaConnection;
}

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "each broker must be host:port");

const schema = brokerNameMaps
  .extend({
    KAFKA_BROKERS: z
      .string({ error: "is required" })
      .transform((text) =>
        text
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(z.array(hostPort).min(1, "must list at least one broker")),
    KAFKA_CLIENT_ID: z.string().min(1).default("taskflow"),
    KAFKA_SSL: flag,
    KAFKA_TLS_CA: z.string().includes("BEGIN CERTIFICATE", { message: "must be a PEM certificate" }).optional(),
    KAFKA_SASL_MECHANISM: z.enum(["plain", "scram-sha-256", "scram-sha-512"]).optional(),
    KAFKA_SASL_USERNAME: z.string().min(1).optional(),
    KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
    KAFKA_AUTO_CREATE: flag,
    KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
    KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(-1).max(10).default(-1),
  })
  .superRefine((env, ctx) => {
    if (env.KAFKA_SASL_MECHANISM === undefined) return;
    for (const name of ["KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"] as const) {
      if (env[name] === undefined) {
        ctx.addIssue({ code: "custom", path: [name], message: "is required when KAFKA_SASL_MECHANISM is set" });
      }
    }
  });

const HINTS: Record<string, string> = {
  KAFKA_BROKERS: "set it to a comma-separated list of host:port, e.g. 127.0.0.1:9092",
  KAFKA_SSL: "set it to true to connect with TLS",
  KAFKA_SASL_MECHANISM: "set it to plain, scram-sha-256 or scram-sha-512, or unset it for no SASL",
  KAFKA_AUTO_CREATE: "set it to false where the stacks own the topics",
};

export function readKafkaConfig(env: Env): KafkaConfig {
  const config = readConfig(schema, env, HINTS);
  const mapped = Object.keys(config.BROKER_TOPICS).length > 0;
  const mechanism = config.KAFKA_SASL_MECHANISM;
  return {
    connection: {
      brokers: config.KAFKA_BROKERS,
      clientId: config.KAFKA_CLIENT_ID,
      ssl: config.KAFKA_SSL ?? config.KAFKA_TLS_CA !== undefined,
      ca: config.KAFKA_TLS_CA,
      sasl:
        mechanism && config.KAFKA_SASL_USERNAME && config.KAFKA_SASL_PASSWORD
          ? { mechanism, username: config.KAFKA_SASL_USERNAME, password: config.KAFKA_SASL_PASSWORD }
          : undefined,
    },
    // Deployed containers get their topic names from the stacks, which own the topics.
    autoCreate: config.KAFKA_AUTO_CREATE ?? !mapped,
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    topics: config.BROKER_TOPICS,
    subscriptions: config.BROKER_SUBSCRIPTIONS,
  };
}
