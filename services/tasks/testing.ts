import { randomUUID } from "node:crypto";
import type { Message } from "../../adapters/core/message.js";
import type { Database } from "../kernel/db/database.js";
import type { EventMessage } from "../kernel/event-log.js";
import { handleOnce } from "../kernel/messaging/inbox.js";
import { onUserEvent } from "./domain/user-events.js";

/**
 * Tests of the tasks service create boards, which need a project the caller owns. These build
 * the users service's events and deliver them through the same inbox path the
 * `tasks-user-events` consumer takes, so the `project_owners` read model is fed as in production.
 */

/** A `user-events` message as the users service's outbox publishes it. */
export function userEventMessage(
  type: string,
  data: Record<string, unknown>,
  options: { actor: string; streamId: string; version?: number },
): Message<EventMessage> {
  const eventId = randomUUID();
  return {
    id: eventId,
    topic: "user-events",
    key: options.streamId,
    headers: {},
    attempt: 1,
    publishedAt: new Date(),
    body: {
      eventId,
      streamId: options.streamId,
      version: options.version ?? 1,
      type,
      data,
      actor: options.actor,
      occurredAt: new Date().toISOString(),
    },
  };
}

/** Delivers one user event to the tasks service's consumer effect, once (inbox). */
export function deliverUserEvent(db: Database, message: Message<EventMessage>): Promise<boolean> {
  return handleOnce(db, "tasks-user-events", message, (tx, m) => onUserEvent(tx, m.body));
}

/** The `project-created` message of a new project owned by `ownerId`. */
export function projectCreated(
  ownerId: string,
  projectId: string = randomUUID(),
  organizationId: string = randomUUID(),
) {
  const now = new Date().toISOString();
  return userEventMessage(
    "project-created",
    {
      project: { id: projectId, organizationId, name: "Project", description: null, version: 1, createdAt: now },
      ownerId,
    },
    { actor: ownerId, streamId: `project:${projectId}` },
  );
}

/** Makes a new project of `ownerId` known to the tasks service; returns its id. */
export async function knownProject(db: Database, ownerId: string, projectId = randomUUID()): Promise<string> {
  await deliverUserEvent(db, projectCreated(ownerId, projectId));
  return projectId;
}
