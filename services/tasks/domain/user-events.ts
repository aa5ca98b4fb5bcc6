import type { Queryable } from "../../kernel/db/database.js";
import type { EventMessage } from "../../kernel/event-log.js";
import { forgetOrganization, forgetProject, rememberProject } from "../data-access/project-owners.js";

/**
 * What the tasks service does with `user-events` (subscription `tasks-user-events`), through
 * the inbox: it keeps the `project_owners` read model, so that a board is only created in a project
 * its caller owns. Other event types (profiles, organizations created or renamed) are not the
 * tasks service's business and are acknowledged without effect.
 *
 * Only the project's owner may change or delete it, so an event that predates the `ownerId`
 * field falls back to its actor.
 */
export async function onUserEvent(tx: Queryable, event: EventMessage): Promise<void> {
  const text = (value: unknown) => (typeof value === "string" && value.length > 0 ? value : undefined);
  const data = event.data as {
    project?: { id?: unknown; organizationId?: unknown };
    projectId?: unknown;
    organizationId?: unknown;
    ownerId?: unknown;
  };
  const ownerId = text(data.ownerId) ?? event.actor;
  const at = event.occurredAt;
  switch (event.type) {
    case "project-created":
    case "project-updated": {
      const id = text(data.project?.id);
      const organizationId = text(data.project?.organizationId);
      if (id && organizationId) await rememberProject(tx, { id, organizationId, ownerId, at });
      return;
    }
    case "project-deleted": {
      const id = text(data.projectId);
      if (id) await forgetProject(tx, { id, organizationId: text(data.organizationId) ?? null, ownerId, at });
      return;
    }
    case "organization-deleted": {
      const id = text(data.organizationId);
      if (id) await forgetOrganization(tx, id, at);
      return;
    }
  }
}
