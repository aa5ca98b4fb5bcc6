import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Graph, parseJson } from "../../components/testing/graph.js";
import { startFauxqs } from "../emulators.js";
import type { BrokerStandIn, ManagedEndpoints, RehearsalTarget } from "./target.js";

/** The account fauxqs puts in every ARN and queue URL (it has no setting for another). */
const FAUXQS_ACCOUNT = "000000000000";

const T = {
  db: "aws:rds/instance:Instance",
  redis: "aws:elasticache/replicationGroup:ReplicationGroup",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  topic: "aws:sns/topic:Topic",
  queue: "aws:sqs/queue:Queue",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
} as const;

/** `arn:aws:<service>:<region>:<account>:<name>` → region and name. */
function arnParts(arn: unknown): { region: string; name: string } {
  const parts = String(arn).split(":");
  if (parts.length < 6) throw new Error(`[taskflow] [rehearsal] "${arn}" is not an ARN`);
  return { region: parts[3] as string, name: parts.slice(5).join(":") };
}

const seconds = (value: unknown) => (value === undefined ? undefined : String(value));
const flag = (value: unknown) => (value === true ? "true" : undefined);
const defined = (record: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => e[1] !== undefined));

export const aws: RehearsalTarget = {
  provider: "aws",
  mocks: { awsAccount: FAUXQS_ACCOUNT },

  endpoints(graph: Graph, app: string): ManagedEndpoints {
    const db = graph.named(T.db, `${app}-db-instance`);
    const redis = graph.named(T.redis, `${app}-cache-redis`);
    const internal = graph.ofType(T.loadBalancer).find((lb) => lb.inputs.internal === true);
    if (!internal) throw new Error("[taskflow] [rehearsal] the graph has no internal load balancer");
    const services: Record<string, ManagedEndpoints["services"][string]> = {};
    for (const listener of graph.ofType(T.listener).filter((l) => l.inputs.loadBalancerArn === internal.state.arn)) {
      const forward = (listener.inputs.defaultActions as { targetGroupArn?: string }[] | undefined)?.find(
        (a) => a.targetGroupArn,
      );
      const group = forward && graph.withOutput(T.targetGroup, "arn", forward.targetGroupArn);
      if (!group) continue;
      const service = group.name.slice(`${app}-`.length).replace(/-tg$/, "");
      services[service] = {
        host: String(internal.state.dnsName),
        port: Number(listener.inputs.port),
        tls: listener.inputs.protocol === "HTTPS",
      };
    }
    return {
      database: {
        host: String(db.state.address),
        port: Number(db.state.port),
        user: String(db.inputs.username),
        password: String(db.inputs.password),
        name: String(db.inputs.dbName),
      },
      cache: {
        host: String(redis.state.primaryEndpointAddress),
        port: Number(redis.inputs.port),
        password: String(redis.inputs.authToken),
      },
      services,
    };
  },

  async startBroker(graph: Graph): Promise<BrokerStandIn> {
    const queues = graph.ofType(T.queue).map((q) => {
      const { region, name } = arnParts(q.state.arn);
      return {
        name,
        region,
        attributes: defined({
          FifoQueue: flag(q.inputs.fifoQueue),
          ContentBasedDeduplication: flag(q.inputs.contentBasedDeduplication),
          VisibilityTimeout: seconds(q.inputs.visibilityTimeoutSeconds),
          MessageRetentionPeriod: seconds(q.inputs.messageRetentionSeconds),
          ReceiveMessageWaitTimeSeconds: seconds(q.inputs.receiveWaitTimeSeconds),
          DelaySeconds: seconds(q.inputs.delaySeconds),
          RedrivePolicy:
            q.inputs.redrivePolicy === undefined
              ? undefined
              : JSON.stringify(parseJson(q.inputs.redrivePolicy, `redrive policy of ${name}`)),
        }),
      };
    });
    const topics = graph.ofType(T.topic).map((t) => {
      const { region, name } = arnParts(t.state.arn);
      return {
        name,
        region,
        attributes: defined({
          FifoTopic: flag(t.inputs.fifoTopic),
          ContentBasedDeduplication: flag(t.inputs.contentBasedDeduplication),
        }),
      };
    });
    const subscriptions = graph.ofType(T.subscription).map((s) => {
      if (s.inputs.protocol !== "sqs")
        throw new Error(`[taskflow] [rehearsal] subscription ${s.name} uses protocol ${s.inputs.protocol}, not sqs`);
      const topic = arnParts(s.inputs.topic);
      return {
        topic: topic.name,
        queue: arnParts(s.inputs.endpoint).name,
        region: topic.region,
        attributes: defined({ RawMessageDelivery: flag(s.inputs.rawMessageDelivery) }),
      };
    });
    const dir = await mkdtemp(join(tmpdir(), "taskflow-rehearsal-fauxqs-"));
    const init = join(dir, "init.json");
    await writeFile(init, JSON.stringify({ queues, topics, subscriptions }, null, 2));
    const emulator = await startFauxqs({ init }).catch(async (error) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    const fifo = topics.filter((t) => t.attributes.FifoTopic).length;
    const redriven = queues.filter((q) => q.attributes.RedrivePolicy).length;
    return {
      env: { AWS_ENDPOINT_URL: emulator.address },
      addresses: new Set([
        ...graph.ofType(T.topic).map((t) => String(t.state.arn)),
        ...graph.ofType(T.queue).map((q) => String(q.state.url)),
      ]),
      summary: `fauxqs with the graph's ${topics.length} SNS topics (${fifo} FIFO), ${queues.length} SQS queues (${redriven} with a redrive policy) and ${subscriptions.length} raw-delivery subscriptions`,
      stop: async () => {
        await emulator.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};
