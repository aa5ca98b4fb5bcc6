import type { Message } from "../../../adapters/core/message.js";
import type { Queryable } from "../../kernel/db/database.js";
import type { EventMessage } from "../../kernel/event-log.js";
import { deactivateForFailedRegistration, type IdentityContext } from "./accounts.js";

/**
 * What identity does with `user-events` (subscription `identity-user-events`), through the
 * inbox. Registration is a two-step saga: identity creates the account and publishes
 * `user-registered`; users creates the profile. If users cannot, it publishes
 * `profile-creation-failed` with `{ userId, reason }` and identity compensates by
 * deactivating the account and revoking its sessions and keys. Other event types are not
 * identity's business and are acknowledged without effect.
 */
export const PROFILE_CREATION_FAILED = "profile-creation-failed";

export function userEventsEffect(ctx: IdentityContext) {
  return async (tx: Queryable, message: Message<EventMessage>): Promise<void> => {
    const event = message.body;
    if (event.type !== PROFILE_CREATION_FAILED) return;
    const userId = event.data.userId;
    if (typeof userId !== "string") return;
    const reason = typeof event.data.reason === "string" ? event.data.reason : "profile creation failed";
    await deactivateForFailedRegistration(ctx, tx, userId, reason.slice(0, 200));
  };
}
