import { executeCommand, type UniqueFields } from "../../kernel/commands.js";
import type { Database, Queryable } from "../../kernel/db/database.js";
import { appendToStream } from "../../kernel/event-log.js";
import { USER_EVENTS_TOPIC, type UserEventType } from "./model.js";

export interface UsersContext {
  readonly db: Database;
  readonly now?: () => Date;
  /** Called after each committed change (wakes the outbox relay). */
  readonly onCommitted?: () => void;
}

export const clock = (ctx: UsersContext) => (ctx.now ? ctx.now() : new Date());

const UNIQUE_FIELDS: UniqueFields = {
  profiles_pkey: { field: "body.email", message: "this user already has a profile" },
  profiles_email_key: { field: "body.email", message: "a profile with this email already exists" },
  organizations_name_per_owner: { field: "body.name", message: "you already have an organization with this name" },
  projects_name_per_organization: {
    field: "body.name",
    message: "the organization already has a project with this name",
  },
};

/** Appends one event (published on user-events through the outbox) in the caller's transaction. */
export async function record(
  tx: Queryable,
  actor: string,
  streamId: string,
  expectedVersion: number,
  type: UserEventType,
  data: object,
  now: Date,
): Promise<number> {
  const [event] = await appendToStream(tx, {
    streamId,
    expectedVersion,
    events: [{ type, data }],
    actor,
    topic: USER_EVENTS_TOPIC,
    now,
  });
  return event!.version;
}

/** One command in one transaction, once per command id, with unique names turned into 409s. */
export async function change<R>(
  ctx: UsersContext,
  command: { name: string; actor: string; commandId?: string | undefined; input?: unknown },
  work: (tx: Queryable) => Promise<R>,
): Promise<R> {
  const result = await executeCommand(ctx.db, { ...command, uniqueFields: UNIQUE_FIELDS }, work);
  ctx.onCommitted?.();
  return result;
}
