import { ConsumerGroup, type GroupSettings, type TimerHost } from "./broker-group.js";
import type { Envelope } from "./envelope.js";

/** A topic: its subscriptions, and the ids published recently for dedupe. */
export interface TopicState {
  readonly name: string;
  readonly groups: Map<string, ConsumerGroup>;
  /** Message id → epoch ms until which a second publish of it is dropped; oldest first. */
  readonly recentIds: Map<string, number>;
}

/**
 * Ids remembered per topic at most; past this the oldest are forgotten early, so a publisher
 * that sets its own ids cannot grow memory without bound.
 */
const MAX_RECENT_IDS = 1_000_000;

/**
 * What a real broker server holds: topics, subscriptions, queued messages and dead letters.
 * `MemoryBroker` instances are clients of one store; two clients of the same store see the
 * same topics, as two processes see the same cloud broker, and closing one leaves the store
 * and the other client working.
 *
 * Every delay, retry backoff and unrenewed lock in the store is served by one timer, armed
 * for the earliest deadline.
 */
export class MemoryBrokerStore implements TimerHost {
  private readonly topics = new Map<string, TopicState>();
  private readonly timed = new Set<ConsumerGroup>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private consumers = 0;

  getTopic(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  /** Returns the topic, creating it if missing. */
  createTopic(name: string): TopicState {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = { name, groups: new Map(), recentIds: new Map() };
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** Returns the subscription, creating it with `settings` if missing (settings of an existing one stay). */
  createGroup(topic: TopicState, name: string, settings: GroupSettings): ConsumerGroup {
    let group = topic.groups.get(name);
    if (!group) {
      group = new ConsumerGroup(topic.name, name, settings, this);
      topic.groups.set(name, group);
    }
    return group;
  }

  /**
   * True when `id` was published to the topic within its window, else remembers it until
   * `until`.
   */
  isDuplicate(topic: TopicState, id: string, now: number, until: number): boolean {
    const recent = topic.recentIds;
    for (const [oldId, expiresAt] of recent) {
      if (expiresAt > now && recent.size < MAX_RECENT_IDS) break;
      recent.delete(oldId);
    }
    const expiresAt = recent.get(id);
    if (expiresAt !== undefined && expiresAt > now) return true;
    recent.delete(id);
    recent.set(id, until);
    return false;
  }

  /** Hands the message to every subscription the topic has now. */
  publish(topic: TopicState, envelope: Envelope, now: number): void {
    for (const group of topic.groups.values()) group.accept(envelope, now);
  }

  consumerAttached(): void {
    this.consumers++;
    this.timer?.ref();
  }

  /** Timed work keeps the process alive only while someone consumes. */
  consumerDetached(): void {
    this.consumers--;
    if (this.consumers === 0) this.timer?.unref();
  }

  wake(group: ConsumerGroup, at: number): void {
    this.timed.add(group);
    this.arm(at);
  }

  private arm(at: number): void {
    if (this.timer !== undefined) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    // At least 1 ms: a timer can fire a fraction of a millisecond before Date.now() reaches `at`.
    this.timer = setTimeout(this.onTimer, Math.max(1, at - Date.now()));
    if (this.consumers === 0) this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const group of this.timed) {
      const due = group.sweep(now);
      if (due === Number.POSITIVE_INFINITY) this.timed.delete(group);
      else if (due < next) next = due;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
  };
}
