import type {
  KafkaAdminLike,
  KafkaClientLike,
  KafkaConsumerLike,
  KafkaConsumerSettings,
  KafkaCrashEvent,
  KafkaEachMessagePayload,
  KafkaGroupJoinEvent,
  KafkaOutgoingRecord,
  KafkaProducerLike,
  KafkaReceivedRecord,
} from "./client.js";

/**
 * An in-process stand-in for a Kafka cluster behind kafkajs, for the adapter's unit tests:
 * partitioned logs (a key always hashes to one partition), consumer groups with committed
 * offsets and round-robin assignment that changes when members come and go, one record at a
 * time per partition, and hooks to make a call fail the way kafkajs fails.
 */

export class FakeKafkaError extends Error {
  constructor(
    readonly type: string,
    message = type,
  ) {
    super(message);
    this.name = "KafkaJSProtocolError";
  }
}

interface StoredRecord {
  key: string | null;
  value: string;
  headers: Record<string, Buffer>;
  timestamp: string;
}

export interface Group {
  committed: Map<string, number>;
  members: FakeConsumer[];
}

export class FakeKafkaCluster implements KafkaClientLike {
  readonly topics = new Map<string, StoredRecord[][]>();
  readonly groups = new Map<string, Group>();
  /** Every produce call, in order, for assertions on what went over the wire. */
  readonly sends: { topic: string; messages: KafkaOutgoingRecord[] }[] = [];
  /** Called before each produce; throw from it to fail the call. */
  failSend?: (topic: string, messages: KafkaOutgoingRecord[]) => void;
  /** Called before each commit; throw from it to fail the call. */
  failCommit?: (groupId: string, partition: number) => void;
  connects = 0;

  producer(): KafkaProducerLike {
    return {
      connect: async () => {
        this.connects++;
      },
      disconnect: async () => {},
      send: async ({ topic, messages }) => {
        this.failSend?.(topic, messages);
        const partitions = this.topics.get(topic);
        if (!partitions) throw new FakeKafkaError("UNKNOWN_TOPIC_OR_PARTITION", "This server does not host this topic");
        this.sends.push({ topic, messages });
        for (const message of messages) {
          const index =
            message.key === null
              ? Math.floor(Math.random() * partitions.length)
              : hash(message.key) % partitions.length;
          const headers: Record<string, Buffer> = {};
          for (const [name, value] of Object.entries(message.headers)) headers[name] = Buffer.from(value, "utf8");
          partitions[index]!.push({ key: message.key, value: message.value, headers, timestamp: message.timestamp });
        }
        return [];
      },
    };
  }

  admin(): KafkaAdminLike {
    return {
      connect: async () => {},
      disconnect: async () => {},
      listTopics: async () => [...this.topics.keys()],
      createTopics: async ({ topics }) => {
        let created = false;
        for (const { topic, numPartitions } of topics) {
          if (this.topics.has(topic)) continue;
          this.createTopic(topic, numPartitions ?? 1);
          created = true;
        }
        return created;
      },
      fetchTopicOffsets: async (topic) =>
        (this.topics.get(topic) ?? []).map((log, partition) => ({ partition, high: String(log.length), low: "0" })),
      fetchOffsets: async ({ groupId, topics }) =>
        topics.map((topic) => ({
          topic,
          partitions: (this.topics.get(topic) ?? []).map((_log, partition) => ({
            partition,
            offset: String(this.groups.get(groupId)?.committed.get(`${topic}/${partition}`) ?? -1),
          })),
        })),
      setOffsets: async ({ groupId, topic, partitions }) => {
        const group = this.group(groupId);
        if (group.members.length > 0) {
          throw new Error("The consumer group must have no running instances, current state: Stable");
        }
        for (const { partition, offset } of partitions) group.committed.set(`${topic}/${partition}`, Number(offset));
      },
    };
  }

  consumer(options: KafkaConsumerSettings): KafkaConsumerLike {
    return new FakeConsumer(this, options.groupId);
  }

  createTopic(topic: string, partitions: number): void {
    this.topics.set(
      topic,
      Array.from({ length: partitions }, () => []),
    );
  }

  group(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { committed: new Map(), members: [] };
      this.groups.set(groupId, group);
    }
    return group;
  }

  /** Records of a topic as our adapter would read them back, across partitions. */
  records(topic: string): (KafkaReceivedRecord & { partition: number })[] {
    return (this.topics.get(topic) ?? []).flatMap((log, partition) =>
      log.map((record, offset) => ({ partition, ...received(record, offset) })),
    );
  }

  rebalance(groupId: string): void {
    const group = this.group(groupId);
    const byTopic = new Map<string, FakeConsumer[]>();
    for (const member of group.members) {
      for (const topic of member.topics) byTopic.set(topic, [...(byTopic.get(topic) ?? []), member]);
    }
    for (const member of group.members) member.assigned = [];
    for (const [topic, members] of byTopic) {
      const partitions = this.topics.get(topic)?.length ?? 0;
      for (let partition = 0; partition < partitions; partition++) {
        members[partition % members.length]!.assigned.push({ topic, partition });
      }
    }
    for (const member of group.members) member.joined();
  }
}

export class FakeConsumer implements KafkaConsumerLike {
  topics: string[] = [];
  assigned: { topic: string; partition: number }[] = [];
  private fromBeginning = false;
  private readonly positions = new Map<string, number>();
  private readonly busy = new Set<string>();
  private listeners: ((event: KafkaGroupJoinEvent) => void)[] = [];
  private crashListeners: ((event: KafkaCrashEvent) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private running = new Set<Promise<void>>();

  constructor(
    private readonly cluster: FakeKafkaCluster,
    readonly groupId: string,
  ) {}

  async connect(): Promise<void> {}

  async subscribe({ topics, fromBeginning }: { topics: string[]; fromBeginning?: boolean }): Promise<void> {
    this.topics = topics;
    this.fromBeginning = fromBeginning ?? false;
  }

  async run(options: Parameters<KafkaConsumerLike["run"]>[0]): Promise<void> {
    const concurrency = options.partitionsConsumedConcurrently ?? 1;
    this.cluster.group(this.groupId).members.push(this);
    this.cluster.rebalance(this.groupId);
    this.timer = setInterval(() => {
      for (const { topic, partition } of this.assigned) {
        const slot = `${topic}/${partition}`;
        if (this.busy.has(slot) || this.busy.size >= concurrency) continue;
        const log = this.cluster.topics.get(topic)?.[partition] ?? [];
        const position = this.positions.get(slot) ?? this.startOffset(topic, partition, log.length);
        const record = log[position];
        if (!record) continue;
        this.positions.set(slot, position + 1);
        this.busy.add(slot);
        const payload: KafkaEachMessagePayload = {
          topic,
          partition,
          message: received(record, position),
          heartbeat: async () => {
            if (!this.owns(topic, partition)) throw new FakeKafkaError("REBALANCE_IN_PROGRESS");
          },
        };
        const work = options.eachMessage(payload).finally(() => {
          this.busy.delete(slot);
          this.running.delete(work);
        });
        this.running.add(work);
      }
    }, 2);
  }

  async commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    for (const { topic, partition, offset } of offsets) {
      this.cluster.failCommit?.(this.groupId, partition);
      if (!this.owns(topic, partition)) throw new FakeKafkaError("ILLEGAL_GENERATION");
      this.cluster.group(this.groupId).committed.set(`${topic}/${partition}`, Number(offset));
    }
  }

  on(event: "consumer.group_join", listener: (event: KafkaGroupJoinEvent) => void): () => void;
  on(event: "consumer.crash", listener: (event: KafkaCrashEvent) => void): () => void;
  on(event: string, listener: ((event: KafkaGroupJoinEvent) => void) | ((event: KafkaCrashEvent) => void)): () => void {
    if (event === "consumer.crash") {
      const crash = listener as (event: KafkaCrashEvent) => void;
      this.crashListeners.push(crash);
      return () => {
        this.crashListeners = this.crashListeners.filter((other) => other !== crash);
      };
    }
    const join = listener as (event: KafkaGroupJoinEvent) => void;
    this.listeners.push(join);
    return () => {
      this.listeners = this.listeners.filter((other) => other !== join);
    };
  }

  /** Reports a crash as kafkajs does, for tests of how the adapter surfaces it. */
  crash(error: Error, restart: boolean): void {
    for (const listener of this.crashListeners) listener({ payload: { error, groupId: this.groupId, restart } });
  }

  async disconnect(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.running]);
    const group = this.cluster.group(this.groupId);
    if (group.members.includes(this)) {
      group.members = group.members.filter((member) => member !== this);
      this.cluster.rebalance(this.groupId);
    }
  }

  /** Called by the cluster after a rebalance: positions restart from the committed offsets. */
  joined(): void {
    this.positions.clear();
    const memberAssignment: Record<string, number[]> = {};
    for (const { topic, partition } of this.assigned) {
      memberAssignment[topic] = [...(memberAssignment[topic] ?? []), partition];
    }
    for (const listener of this.listeners) listener({ payload: { memberAssignment } });
  }

  private owns(topic: string, partition: number): boolean {
    return this.assigned.some((entry) => entry.topic === topic && entry.partition === partition);
  }

  private startOffset(topic: string, partition: number, end: number): number {
    const committed = this.cluster.group(this.groupId).committed.get(`${topic}/${partition}`);
    if (committed !== undefined && committed >= 0) return committed;
    return this.fromBeginning ? 0 : end;
  }
}

function received(record: StoredRecord, offset: number): KafkaReceivedRecord {
  return {
    key: record.key === null ? null : Buffer.from(record.key, "utf8"),
    value: Buffer.from(record.value, "utf8"),
    headers: { ...record.headers },
    offset: String(offset),
    timestamp: record.timestamp,
  };
}

function hash(key: string): number {
  let value = 0;
  for (const char of key) value = (value * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return value;
}
