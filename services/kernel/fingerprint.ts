import { createHash } from "node:crypto";

/**
 * What a retry must repeat to be the same request: a digest of its input. An `Idempotency-Key`
 * and a `commandId` both compare it, so reusing either with another body is refused alike.
 */
export function requestHash(body: unknown): string {
  return createHash("sha256")
    .update(JSON.stringify(body ?? null))
    .digest("base64url");
}
