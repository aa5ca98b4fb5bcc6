import { PubSub } from "@google-cloud/pubsub";
import { at, type Graph } from "../../components/testing/graph.js";
import { startPubSubEmulator } from "../emulators.js";
import type { BrokerStandIn, ManagedEndpoints, RehearsalTarget } from "./target.js";

const T = {
  sql: "gcp:sql/databaseInstance:DatabaseInstance",
  sqlUser: "gcp:sql/user:User",
  sqlDatabase: "gcp:sql/database:Database",
  redis: "gcp:redis/instance:Instance",
  run: "gcp:cloudrunv2/service:Service",
  topic: "gcp:pubsub/topic:Topic",
  subscription: "gcp:pubsub/subscription:Subscription",
} as const;

/** Cloud SQL for PostgreSQL listens on its private address on the standard port only. */
const CLOUD_SQL_PORT = 5432;

/** `"600s"` (the provider's duration strings) → `{ seconds: 600 }`. */
function duration(value: unknown): { seconds: number } | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value);
  if (!match) throw new Error(`[taskflow] [rehearsal] "${value}" is not a duration in seconds`);
  return { seconds: Number(match[1]) };
}

const only = <T extends Record<string, unknown>>(record: T) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;

export const gcp: RehearsalTarget = {
  provider: "gcp",

  endpoints(graph: Graph, app: string): ManagedEndpoints {
    const sql = graph.named(T.sql, `${app}-db-instance`);
    const instance = String(sql.inputs.name);
    const user = graph.ofType(T.sqlUser).find((u) => u.inputs.instance === instance);
    const database = graph.ofType(T.sqlDatabase).find((d) => d.inputs.instance === instance);
    if (!user || !database)
      throw new Error(`[taskflow] [rehearsal] the graph has no user or no database on Cloud SQL instance ${instance}`);
    const redis = graph.named(T.redis, `${app}-cache-redis`);
    const services: Record<string, ManagedEndpoints["services"][string]> = {};
    for (const run of graph.ofType(T.run)) {
      const url = new URL(String(run.state.uri));
      services[run.name.slice(`${app}-`.length).replace(/-service$/, "")] = {
        host: url.hostname,
        port: Number(url.port || 443),
        tls: url.protocol === "https:",
      };
    }
    return {
      database: {
        host: String(sql.state.privateIpAddress),
        port: CLOUD_SQL_PORT,
        user: String(user.inputs.name),
        password: String(user.inputs.password),
        name: String(database.inputs.name),
      },
      cache: {
        host: String(redis.state.host),
        port: Number(redis.state.port),
        password: String(redis.state.authString),
      },
      services,
    };
  },

  async startBroker(graph: Graph): Promise<BrokerStandIn> {
    // The emulator needs no credentials; without this the auth library probes the GCE metadata address.
    process.env.METADATA_SERVER_DETECTION ??= "none";
    const emulator = await startPubSubEmulator();
    const topics = graph.ofType(T.topic);
    const subscriptions = graph.ofType(T.subscription);
    try {
      const project = String(topics[0]?.inputs.project ?? "");
      const pubsub = new PubSub({ projectId: project, apiEndpoint: emulator.address, emulatorMode: true });
      try {
        for (const topic of topics)
          await pubsub.createTopic({
            name: topic.id,
            ...only({ messageRetentionDuration: duration(topic.inputs.messageRetentionDuration) }),
          });
        for (const s of subscriptions) {
          const deadLetter = at(s.inputs, "deadLetterPolicy") as
            | { deadLetterTopic: string; maxDeliveryAttempts: number }
            | undefined;
          const retry = at(s.inputs, "retryPolicy") as { minimumBackoff?: string; maximumBackoff?: string } | undefined;
          await pubsub.topic(String(s.inputs.topic)).createSubscription(
            s.id,
            only({
              ackDeadlineSeconds: s.inputs.ackDeadlineSeconds as number | undefined,
              enableMessageOrdering: s.inputs.enableMessageOrdering === true,
              deadLetterPolicy: deadLetter,
              retryPolicy: retry
                ? only({
                    minimumBackoff: duration(retry.minimumBackoff),
                    maximumBackoff: duration(retry.maximumBackoff),
                  })
                : undefined,
              messageRetentionDuration: duration(s.inputs.messageRetentionDuration),
              labels: s.inputs.labels as Record<string, string> | undefined,
            }),
          );
        }
      } finally {
        await pubsub.close();
      }
    } catch (error) {
      await emulator.stop();
      throw error;
    }
    const ordered = subscriptions.filter((s) => s.inputs.enableMessageOrdering === true).length;
    const deadLettered = subscriptions.filter((s) => at(s.inputs, "deadLetterPolicy") !== undefined).length;
    return {
      env: { PUBSUB_EMULATOR_HOST: emulator.address },
      addresses: new Set([...topics.map((t) => t.id), ...subscriptions.map((s) => s.id)]),
      summary: `the Pub/Sub emulator with the graph's ${topics.length} topics and ${subscriptions.length} subscriptions (${deadLettered} with a dead-letter policy, ${ordered} ordered)`,
      stop: () => emulator.stop(),
    };
  },
};
