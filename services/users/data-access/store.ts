import type { Queryable } from "../../kernel/db/database.js";
import type { Page } from "../../kernel/page.js";
import type { Organization, Profile, Project } from "../domain/model.js";

/** Storage of the users service: rows in, domain objects out. */

const iso = (value: Date | string) => new Date(value).toISOString();

interface ProfileRow {
  id: string;
  email: string;
  display_name: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}
const toProfile = (r: ProfileRow): Profile => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

interface OrganizationRow {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}
const toOrganization = (r: OrganizationRow): Organization => ({
  id: r.id,
  ownerId: r.owner_id,
  name: r.name,
  description: r.description,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

interface ProjectRow {
  id: string;
  organization_id: string;
  name: string;
  description: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}
const toProject = (r: ProjectRow): Project => ({
  id: r.id,
  organizationId: r.organization_id,
  name: r.name,
  description: r.description,
  version: r.version,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const lock = (forUpdate?: boolean) => (forUpdate ? " FOR UPDATE" : "");

export async function findProfile(db: Queryable, id: string, forUpdate?: boolean): Promise<Profile | undefined> {
  const [row] = await db.query<ProfileRow>(`SELECT * FROM profiles WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toProfile(row);
}

export async function findProfileByEmail(db: Queryable, email: string): Promise<Profile | undefined> {
  const [row] = await db.query<ProfileRow>("SELECT * FROM profiles WHERE lower(email) = lower($1)", [email]);
  return row && toProfile(row);
}

export async function saveProfile(db: Queryable, p: Profile): Promise<void> {
  await db.query(
    `INSERT INTO profiles (id, email, display_name, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name,
       version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [p.id, p.email, p.displayName, p.version, p.createdAt, p.updatedAt],
  );
}

export async function findOrganization(
  db: Queryable,
  id: string,
  forUpdate?: boolean,
): Promise<Organization | undefined> {
  const [row] = await db.query<OrganizationRow>(`SELECT * FROM organizations WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toOrganization(row);
}

export async function countOrganizations(db: Queryable, ownerId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM organizations WHERE owner_id = $1", [
    ownerId,
  ]);
  return row?.n ?? 0;
}

export async function listOrganizations(
  db: Queryable,
  ownerId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Organization>> {
  const rows = await db.query<OrganizationRow>(
    `SELECT * FROM organizations WHERE owner_id = $1 ORDER BY created_at, id LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`,
    [ownerId],
  );
  return { items: rows.map(toOrganization), ...page, total: await countOrganizations(db, ownerId) };
}

export async function saveOrganization(db: Queryable, o: Organization): Promise<void> {
  await db.query(
    `INSERT INTO organizations (id, owner_id, name, description, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
       version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [o.id, o.ownerId, o.name, o.description, o.version, o.createdAt, o.updatedAt],
  );
}

export async function deleteOrganizationRow(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM organizations WHERE id = $1", [id]);
}

export async function findProject(db: Queryable, id: string, forUpdate?: boolean): Promise<Project | undefined> {
  const [row] = await db.query<ProjectRow>(`SELECT * FROM projects WHERE id = $1${lock(forUpdate)}`, [id]);
  return row && toProject(row);
}

export async function countProjects(db: Queryable, organizationId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM projects WHERE organization_id = $1", [
    organizationId,
  ]);
  return row?.n ?? 0;
}

export async function listProjects(
  db: Queryable,
  organizationId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Project>> {
  const rows = await db.query<ProjectRow>(
    `SELECT * FROM projects WHERE organization_id = $1 ORDER BY created_at, id LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`,
    [organizationId],
  );
  return { items: rows.map(toProject), ...page, total: await countProjects(db, organizationId) };
}

export async function saveProject(db: Queryable, p: Project): Promise<void> {
  await db.query(
    `INSERT INTO projects (id, organization_id, name, description, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
       version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [p.id, p.organizationId, p.name, p.description, p.version, p.createdAt, p.updatedAt],
  );
}

export async function deleteProjectRow(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM projects WHERE id = $1", [id]);
}
