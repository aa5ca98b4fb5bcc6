import { createHash } from "node:crypto";

/**
 * FIFO fields. SQS and SNS cap MessageDeduplicationId and MessageGroupId at 128 characters of
 * `[A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~]`; a longer or other id is replaced by its
 * SHA-256, which keeps "same id, same dedupe id" true.
 */
const FIFO_ID = /^[\x21-\x7e]{1,128}$/;

export function deduplicationId(id: string): string {
  return FIFO_ID.test(id) ? id : createHash("sha256").update(id).digest("hex");
}

/** Message group: the ordering key, else the message id so unkeyed messages do not queue behind each other. */
export function messageGroupId(key: string | undefined, id: string): string {
  return deduplicationId(key !== undefined && key !== "" ? key : id);
}
