/**
 * The part of @azure/service-bus the adapter uses, as our own interfaces. The adapter talks
 * only to these, so unit tests hand it an in-process fake; `sdk-client.ts` is the one
 * place the real clients are built, and the compiler checks there that the SDK satisfies
 * these shapes.
 */

export type SbPropertyValue = number | boolean | string | Date | null;

export interface SbOutgoingMessage {
  messageId: string;
  /** JSON text as UTF-8 bytes: an AMQP data section, so its size is what we measured. */
  body: Buffer;
  contentType: string;
  applicationProperties: Record<string, string>;
  /** Messages of one session are delivered in order, one at a time. */
  sessionId?: string;
  timeToLive?: number;
  scheduledEnqueueTimeUtc?: Date;
}

export interface SbReceivedMessage {
  messageId?: string | number | Buffer;
  body: unknown;
  applicationProperties?: { [name: string]: SbPropertyValue };
  sessionId?: string;
  /** Earlier deliveries of this message: 0 on the first. */
  deliveryCount?: number;
  enqueuedTimeUtc?: Date;
  lockedUntilUtc?: Date;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export interface SbMessageBatchLike {
  readonly count: number;
  readonly sizeInBytes: number;
  readonly maxSizeInBytes: number;
  tryAddMessage(message: SbOutgoingMessage): boolean;
}

export interface SbSenderLike {
  createMessageBatch(): Promise<SbMessageBatchLike>;
  sendMessages(messages: SbOutgoingMessage | SbOutgoingMessage[] | SbMessageBatchLike): Promise<void>;
  close(): Promise<void>;
}

export interface SbReceiverOptions {
  receiveMode: "peekLock";
  /** 0 turns automatic lock renewal off. */
  maxAutoLockRenewalDurationInMs: number;
  /** We parse the JSON ourselves, from the bytes we sent. */
  skipParsingBodyAsJson: true;
  subQueueType?: "deadLetter";
}

export interface SbReceiverLike {
  receiveMessages(
    maxMessageCount: number,
    options: { maxWaitTimeInMs: number; abortSignal?: AbortSignal },
  ): Promise<SbReceivedMessage[]>;
  /** Reads without locking or settling: what the health check uses, with Listen rights only. */
  peekMessages(maxMessageCount: number): Promise<SbReceivedMessage[]>;
  completeMessage(message: SbReceivedMessage): Promise<void>;
  abandonMessage(message: SbReceivedMessage): Promise<void>;
  /** Other keys of `options` are set as application properties of the dead-lettered message. */
  deadLetterMessage(
    message: SbReceivedMessage,
    options: { deadLetterReason: string; deadLetterErrorDescription: string; [property: string]: string },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface SbSessionReceiverLike extends SbReceiverLike {
  readonly sessionId: string;
}

export interface SbClientLike {
  createSender(topic: string): SbSenderLike;
  createReceiver(topic: string, subscription: string, options: SbReceiverOptions): SbReceiverLike;
  acceptNextSession(
    topic: string,
    subscription: string,
    options: { maxAutoLockRenewalDurationInMs: number; skipParsingBodyAsJson: true; abortSignal?: AbortSignal },
  ): Promise<SbSessionReceiverLike>;
  close(): Promise<void>;
}

export interface SbTopicSettings {
  requiresDuplicateDetection: boolean;
  /** ISO 8601 duration, e.g. "PT10M". */
  duplicateDetectionHistoryTimeWindow: string;
}

export interface SbSubscriptionSettings {
  /** ISO 8601 duration between 5 seconds and 5 minutes. */
  lockDuration: string;
  maxDeliveryCount: number;
  requiresSession: boolean;
  deadLetteringOnMessageExpiration: boolean;
}

export interface SbAdminLike {
  topicExists(topic: string): Promise<boolean>;
  createTopic(topic: string, options: SbTopicSettings): Promise<unknown>;
  subscriptionExists(topic: string, subscription: string): Promise<boolean>;
  createSubscription(topic: string, subscription: string, options: SbSubscriptionSettings): Promise<unknown>;
  getNamespaceProperties(): Promise<unknown>;
}
