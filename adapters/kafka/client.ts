/**
 * The part of kafkajs the adapter uses, as our own interfaces. The adapter talks only to
 * these, so unit tests hand it an in-process fake; `createKafkaClient` in `sdk-client.ts`
 * is the one place the real client is built, and the compiler checks there that kafkajs
 * satisfies these shapes.
 */

/** Kafka headers as kafkajs hands them over: bytes, and a list when a name repeats. */
export interface KafkaHeaders {
  [name: string]: Buffer | string | (Buffer | string)[] | undefined;
}

export interface KafkaOutgoingRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** Milliseconds since the epoch, as a decimal string. */
  timestamp: string;
}

export interface KafkaReceivedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: KafkaHeaders;
  offset: string;
  timestamp: string;
}

export interface KafkaProducerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: { topic: string; messages: KafkaOutgoingRecord[]; acks?: number; timeout?: number }): Promise<unknown>;
}

export interface KafkaAdminLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    waitForLeaders?: boolean;
    topics: { topic: string; numPartitions?: number; replicationFactor?: number }[];
  }): Promise<boolean>;
  /** End (`high`, the next offset to be written) and start (`low`) of each partition. */
  fetchTopicOffsets(topic: string): Promise<{ partition: number; high: string; low: string }[]>;
  /** Committed offset of each partition for the group; "-1" where none was committed. */
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  setOffsets(options: {
    groupId: string;
    topic: string;
    partitions: { partition: number; offset: string }[];
  }): Promise<void>;
}

export interface KafkaEachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaReceivedRecord;
  heartbeat(): Promise<void>;
}

export interface KafkaGroupJoinEvent {
  payload: { memberAssignment: { [topic: string]: number[] } };
}

export interface KafkaCrashEvent {
  payload: { error: Error; groupId: string; restart: boolean };
}

export interface KafkaConsumerLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(options: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
  run(options: {
    autoCommit?: boolean;
    partitionsConsumedConcurrently?: number;
    eachMessage(payload: KafkaEachMessagePayload): Promise<void>;
  }): Promise<void>;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  on(event: "consumer.group_join", listener: (event: KafkaGroupJoinEvent) => void): () => void;
  /** The consumer stopped on an error; kafkajs restarts it when `restart` is true. */
  on(event: "consumer.crash", listener: (event: KafkaCrashEvent) => void): () => void;
}

export interface KafkaConsumerSettings {
  groupId: string;
  /** Kafka evicts a member that sends no heartbeat for this long. */
  sessionTimeout?: number;
  heartbeatInterval?: number;
  allowAutoTopicCreation?: boolean;
}

export interface KafkaClientLike {
  producer(options: { allowAutoTopicCreation: boolean }): KafkaProducerLike;
  admin(): KafkaAdminLike;
  consumer(options: KafkaConsumerSettings): KafkaConsumerLike;
}
