import type { CallerIdentity } from "../../kernel/auth/caller.js";
import { checkVersion } from "../../kernel/commands.js";
import type { Queryable } from "../../kernel/db/database.js";
import { ConflictError, NotFoundError } from "../../kernel/errors.js";
import type { EventMessage } from "../../kernel/event-log.js";
import { findProfile, findProfileByEmail, saveProfile } from "../data-access/store.js";
import { change, clock, record, type UsersContext } from "./context.js";
import { type Profile, USER_LIMITS } from "./model.js";

/**
 * Profiles. Normally created from identity's `user-registered` event (through the inbox);
 * `createOwnProfile` is the direct path for local use. A registration whose profile cannot be
 * created (its email already belongs to another profile, or its display name breaks the
 * rules) publishes `profile-creation-failed`, and identity compensates.
 */

async function insertProfile(
  tx: Queryable,
  actor: string,
  input: { id: string; email: string; displayName: string },
  now: Date,
): Promise<Profile> {
  const profile: Profile = {
    id: input.id,
    email: input.email.trim(),
    displayName: input.displayName.trim(),
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await record(
    tx,
    actor,
    `profile:${profile.id}`,
    0,
    "profile-created",
    {
      userId: profile.id,
      email: profile.email,
      displayName: profile.displayName,
    },
    now,
  );
  await saveProfile(tx, profile);
  return profile;
}

export async function createOwnProfile(
  ctx: UsersContext,
  caller: CallerIdentity,
  input: { email: string; displayName: string },
): Promise<Profile> {
  return change(ctx, { name: "CreateProfile", actor: caller.userId }, async (tx) => {
    if (await findProfile(tx, caller.userId)) {
      throw new ConflictError("you already have a profile", {
        fields: [{ field: "body.email", message: "profile exists" }],
      });
    }
    return insertProfile(tx, caller.userId, { id: caller.userId, ...input }, clock(ctx));
  });
}

export async function ownProfile(ctx: UsersContext, caller: CallerIdentity): Promise<Profile> {
  const profile = await findProfile(ctx.db, caller.userId);
  if (!profile) throw new NotFoundError("profile", caller.userId);
  return profile;
}

export async function updateOwnProfile(
  ctx: UsersContext,
  caller: CallerIdentity,
  input: { displayName: string },
  ifMatch: number | undefined,
): Promise<Profile> {
  const now = clock(ctx);
  return change(ctx, { name: "UpdateProfile", actor: caller.userId }, async (tx) => {
    const profile = await findProfile(tx, caller.userId, true);
    if (!profile) throw new NotFoundError("profile", caller.userId);
    checkVersion("profile", profile.id, profile.version, ifMatch);
    const version = await record(
      tx,
      caller.userId,
      `profile:${profile.id}`,
      profile.version,
      "profile-updated",
      {
        userId: profile.id,
        displayName: input.displayName,
      },
      now,
    );
    const next = { ...profile, displayName: input.displayName, version, updatedAt: now.toISOString() };
    await saveProfile(tx, next);
    return next;
  });
}

/** Effect of identity's events on the users service (subscription `users-identity-events`). */
export async function onIdentityEvent(tx: Queryable, event: EventMessage, now = new Date()): Promise<void> {
  if (event.type !== "user-registered") return;
  const data = event.data as { userId?: unknown; email?: unknown; displayName?: unknown };
  if (typeof data.userId !== "string") return;
  if (await findProfile(tx, data.userId)) return;
  const email = typeof data.email === "string" ? data.email.trim() : "";
  const displayName = typeof data.displayName === "string" ? data.displayName.trim() : "";
  let reason: string | undefined;
  if (!email.includes("@")) reason = "the email is not valid";
  else if (displayName.length < USER_LIMITS.displayNameMin || displayName.length > USER_LIMITS.displayNameMax) {
    reason = `the display name must be ${USER_LIMITS.displayNameMin}-${USER_LIMITS.displayNameMax} characters`;
  } else if (await findProfileByEmail(tx, email)) reason = "another profile already uses this email";
  if (reason) {
    await record(
      tx,
      "system:users",
      `profile:${data.userId}`,
      0,
      "profile-creation-failed",
      {
        userId: data.userId,
        reason,
      },
      now,
    );
    return;
  }
  await insertProfile(tx, "system:users", { id: data.userId, email, displayName }, now);
}
