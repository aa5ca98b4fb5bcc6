import { runCommandOnce } from "../../kernel/commands.js";
import {
  type Database,
  PG_UNIQUE_VIOLATION,
  type Queryable,
  sqlState,
  violatedConstraint,
} from "../../kernel/db/database.js";
import { ConflictError, PreconditionFailedError } from "../../kernel/errors.js";
import { appendToStream } from "../../kernel/event-log.js";
import { USER_EVENTS_TOPIC, type UserEventType } from "./model.js";

export interface UsersContext {
  readonly db: Database;
  readonly now?: () => Date;
  /** Called after each committed change (wakes the outbox relay). */
  readonly onCommitted?: () => void;
}

export const clock = (ctx: UsersContext) => (ctx.now ? ctx.now() : new Date());

const CONSTRAINT_FIELDS: Record<string, { field: string; message: string }> = {
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
  command: { name: string; actor: string; commandId?: string | undefined },
  work: (tx: Queryable) => Promise<R>,
): Promise<R> {
  let result: R;
  try {
    result = await ctx.db.transaction((tx) =>
      runCommandOnce(tx, { id: command.commandId, name: command.name, actor: command.actor }, () => work(tx)),
    );
  } catch (error) {
    const known =
      sqlState(error) === PG_UNIQUE_VIOLATION ? CONSTRAINT_FIELDS[violatedConstraint(error) ?? ""] : undefined;
    if (known) throw new ConflictError(known.message, { fields: [known], cause: error });
    throw error;
  }
  ctx.onCommitted?.();
  return result;
}

export function checkVersion(what: string, id: string, current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new PreconditionFailedError(`${what} "${id}" is at version ${current}, not ${ifMatch}; reload it and retry`);
  }
}
