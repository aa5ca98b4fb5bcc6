import { createHash } from "node:crypto";

/**
 * Physical names derived from logical ones when the stacks did not hand us ARNs and URLs.
 * SNS topic names allow 256 characters, SQS queue names 80, both only letters, digits, `-`
 * and `_`, and FIFO resources must end in `.fifo`. A name too long is cut and given a short
 * hash of the full name, so two long names never collide.
 */

const QUEUE_NAME_MAX = 80;
const TOPIC_NAME_MAX = 256;
const FIFO_SUFFIX = ".fifo";
const DLQ_SUFFIX = "-dlq";

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "-");
}

function fitLength(base: string, max: number): string {
  if (base.length <= max) return base;
  const hash = createHash("sha256").update(base).digest("hex").slice(0, 8);
  return `${base.slice(0, max - hash.length - 1)}-${hash}`;
}

function finish(base: string, max: number, fifo: boolean, suffix = ""): string {
  const tail = `${suffix}${fifo ? FIFO_SUFFIX : ""}`;
  return `${fitLength(base, max - tail.length)}${tail}`;
}

export function topicName(prefix: string, topic: string, fifo: boolean): string {
  return finish(sanitize(`${prefix}${topic}`), TOPIC_NAME_MAX, fifo);
}

/** One queue per (topic, subscription): the same subscription name on two topics stays apart. */
export function queueName(prefix: string, topic: string, subscription: string, fifo: boolean): string {
  return finish(sanitize(`${prefix}${topic}__${subscription}`), QUEUE_NAME_MAX, fifo);
}

/** The dead-letter queue of a subscription queue; a FIFO queue needs a FIFO DLQ. */
export function deadLetterQueueName(prefix: string, topic: string, subscription: string, fifo: boolean): string {
  return finish(sanitize(`${prefix}${topic}__${subscription}`), QUEUE_NAME_MAX, fifo, DLQ_SUFFIX);
}

/** `arn:aws:sqs:us-east-1:123456789012:name` → `name`. */
export function nameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf(":") + 1);
}

/** `https://sqs.us-east-1.amazonaws.com/123456789012/name` → `name`. */
export function nameFromQueueUrl(url: string): string {
  return url.slice(url.lastIndexOf("/") + 1);
}
