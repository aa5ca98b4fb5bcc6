import { createHash } from "node:crypto";

/**
 * Pub/Sub resource ids derived from logical names when the stacks did not hand us full
 * names. Ids are 3–255 characters of letters, digits and `-_.~+%`, start with a letter and
 * must not start with `goog`. A subscription is project-wide, so its id carries the topic.
 * An id too long is cut and given a short hash of the full id.
 */

const ID_MAX = 255;
const DEAD_LETTER_SUFFIX = "-dlq";

function toId(raw: string, reserve = 0): string {
  let id = raw.replace(/[^A-Za-z0-9\-_.~+%]/g, "-");
  if (!/^[A-Za-z]/.test(id) || /^goog/i.test(id)) id = `tf-${id}`;
  id = id.padEnd(3, "-");
  const max = ID_MAX - reserve;
  if (id.length <= max) return id;
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 8);
  return `${id.slice(0, max - hash.length - 1)}-${hash}`;
}

export function topicId(prefix: string, topic: string): string {
  return toId(`${prefix}${topic}`);
}

/** Leaves room for the dead-letter suffix, so the DLQ ids stay within the limit. */
export function subscriptionId(prefix: string, topic: string, subscription: string): string {
  return toId(`${prefix}${topic}__${subscription}`, DEAD_LETTER_SUFFIX.length);
}

/**
 * The dead-letter topic of a subscription, and the subscription on it that
 * `receiveDeadLetters` reads. Topics and subscriptions are separate namespaces, so both
 * share one id; the stacks create the same pair for the subscriptions they own.
 */
export function deadLetterId(subscriptionResourceId: string): string {
  return `${subscriptionResourceId}${DEAD_LETTER_SUFFIX}`;
}

export function topicPath(project: string, id: string): string {
  return `projects/${project}/topics/${id}`;
}

export function subscriptionPath(project: string, id: string): string {
  return `projects/${project}/subscriptions/${id}`;
}

/** `projects/p/subscriptions/x` → `{ project: "p", id: "x" }`. */
export function parsePath(path: string): { project: string; id: string } {
  const match = /^projects\/([^/]+)\/(?:topics|subscriptions)\/([^/]+)$/.exec(path);
  if (!match)
    throw new Error(`"${path}" is not a Pub/Sub resource name (projects/<project>/topics|subscriptions/<id>)`);
  return { project: match[1]!, id: match[2]! };
}
