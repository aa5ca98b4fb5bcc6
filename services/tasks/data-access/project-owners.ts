import type { Queryable } from "../../kernel/db/database.js";

/**
 * The `project_owners` read model: who owns each project the users service announced, and whether it
 * still exists. Owner and organization never change after creation, so a create or update only
 * has to make the row exist; deletions leave a tombstone that later events cannot undo, which
 * keeps the table right whatever order the broker delivers events of different streams in.
 */

export interface KnownProject {
  readonly id: string;
  readonly ownerId: string;
  readonly deleted: boolean;
}

export async function findKnownProject(db: Queryable, id: string): Promise<KnownProject | undefined> {
  const [row] = await db.query<{ id: string; owner_id: string; deleted: boolean }>(
    "SELECT id, owner_id, deleted FROM project_owners WHERE id = $1",
    [id],
  );
  return row && { id: row.id, ownerId: row.owner_id, deleted: row.deleted };
}

/** A project that exists (project-created, or -updated when its creation was missed). */
export async function rememberProject(
  tx: Queryable,
  project: { id: string; organizationId: string; ownerId: string; at: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO project_owners (id, organization_id, owner_id, deleted, updated_at)
     VALUES ($1, $2, $3, EXISTS (SELECT 1 FROM deleted_organizations WHERE id = $2), $4)
     ON CONFLICT (id) DO NOTHING`,
    [project.id, project.organizationId, project.ownerId, project.at],
  );
}

export async function forgetProject(
  tx: Queryable,
  project: { id: string; organizationId: string | null; ownerId: string; at: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO project_owners (id, organization_id, owner_id, deleted, updated_at) VALUES ($1, $2, $3, true, $4)
     ON CONFLICT (id) DO UPDATE SET deleted = true, updated_at = EXCLUDED.updated_at`,
    [project.id, project.organizationId, project.ownerId, project.at],
  );
}

/** An organization's deletion took its projects with it (the users service cascades, one event in all). */
export async function forgetOrganization(tx: Queryable, organizationId: string, at: string): Promise<void> {
  await tx.query("INSERT INTO deleted_organizations (id, deleted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
    organizationId,
    at,
  ]);
  await tx.query("UPDATE project_owners SET deleted = true, updated_at = $2 WHERE organization_id = $1", [
    organizationId,
    at,
  ]);
}
