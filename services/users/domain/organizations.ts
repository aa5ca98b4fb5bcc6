import { randomUUID } from "node:crypto";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import { checkVersion } from "../../kernel/commands.js";
import type { Queryable } from "../../kernel/db/database.js";
import { NotFoundError } from "../../kernel/errors.js";
import type { Page } from "../../kernel/page.js";
import {
  countOrganizations,
  countProjects,
  deleteOrganizationRow,
  deleteProjectRow,
  findOrganization,
  findProject,
  listOrganizations,
  listProjects,
  saveOrganization,
  saveProject,
} from "../data-access/store.js";
import { change, clock, record, type UsersContext } from "./context.js";
import type { Organization, Project } from "./model.js";
import { assertDescriptionDiffers, assertRoomForOrganization, assertRoomForProject } from "./rules.js";

/** Organizations (owned by one user) and their projects. Another owner's are 404s. */

interface NameAndDescription {
  readonly name: string;
  readonly description?: string | null | undefined;
}

/** An organization or project with `input`'s name and description, checked, one version on. */
function renamed<T extends Organization | Project>(current: T, input: Partial<NameAndDescription>, now: Date): T {
  const name = input.name ?? current.name;
  const description = input.description !== undefined ? input.description : current.description;
  assertDescriptionDiffers(name, description);
  return { ...current, name, description, version: current.version + 1, updatedAt: now.toISOString() };
}

export async function ownOrganization(
  db: Queryable,
  caller: CallerIdentity,
  id: string,
  forUpdate?: boolean,
): Promise<Organization> {
  const org = await findOrganization(db, id, forUpdate);
  if (!org || org.ownerId !== caller.userId) throw new NotFoundError("organization", id);
  return org;
}

export async function createOrganization(
  ctx: UsersContext,
  caller: CallerIdentity,
  input: NameAndDescription & { commandId?: string | undefined },
): Promise<Organization> {
  const now = clock(ctx);
  return change(
    ctx,
    { name: "CreateOrganization", actor: caller.userId, commandId: input.commandId, input },
    async (tx) => {
      // Serializes an owner's creations so the limit cannot be raced past.
      await tx.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`organizations:${caller.userId}`]);
      assertRoomForOrganization(await countOrganizations(tx, caller.userId));
      assertDescriptionDiffers(input.name, input.description);
      const org: Organization = {
        id: randomUUID(),
        ownerId: caller.userId,
        name: input.name,
        description: input.description ?? null,
        version: 1,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await saveOrganization(tx, org);
      await record(tx, caller.userId, `organization:${org.id}`, 0, "organization-created", { organization: org }, now);
      return org;
    },
  );
}

export function organizationsOf(ctx: UsersContext, caller: CallerIdentity, page: { page: number; pageSize: number }) {
  return listOrganizations(ctx.db, caller.userId, page);
}

export async function updateOrganization(
  ctx: UsersContext,
  caller: CallerIdentity,
  id: string,
  input: Partial<NameAndDescription>,
  ifMatch: number | undefined,
): Promise<Organization> {
  const now = clock(ctx);
  return change(ctx, { name: "UpdateOrganization", actor: caller.userId }, async (tx) => {
    const org = await ownOrganization(tx, caller, id, true);
    checkVersion("organization", id, org.version, ifMatch);
    const next = renamed(org, input, now);
    await saveOrganization(tx, next);
    await record(
      tx,
      caller.userId,
      `organization:${id}`,
      org.version,
      "organization-updated",
      { organization: next },
      now,
    );
    return next;
  });
}

export async function deleteOrganization(
  ctx: UsersContext,
  caller: CallerIdentity,
  id: string,
  ifMatch: number | undefined,
): Promise<void> {
  const now = clock(ctx);
  await change(ctx, { name: "DeleteOrganization", actor: caller.userId }, async (tx) => {
    const org = await ownOrganization(tx, caller, id, true);
    checkVersion("organization", id, org.version, ifMatch);
    await deleteOrganizationRow(tx, id);
    await record(
      tx,
      caller.userId,
      `organization:${id}`,
      org.version,
      "organization-deleted",
      { organizationId: id },
      now,
    );
  });
}

export async function createProject(
  ctx: UsersContext,
  caller: CallerIdentity,
  organizationId: string,
  input: NameAndDescription & { commandId?: string | undefined },
): Promise<Project> {
  const now = clock(ctx);
  return change(
    ctx,
    { name: "CreateProject", actor: caller.userId, commandId: input.commandId, input: [organizationId, input] },
    async (tx) => {
      await ownOrganization(tx, caller, organizationId, true);
      assertRoomForProject(await countProjects(tx, organizationId));
      assertDescriptionDiffers(input.name, input.description);
      const project: Project = {
        id: randomUUID(),
        organizationId,
        name: input.name,
        description: input.description ?? null,
        version: 1,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await saveProject(tx, project);
      await record(
        tx,
        caller.userId,
        `project:${project.id}`,
        0,
        "project-created",
        { project, ownerId: caller.userId },
        now,
      );
      return project;
    },
  );
}

export async function projectsOf(
  ctx: UsersContext,
  caller: CallerIdentity,
  organizationId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Project>> {
  await ownOrganization(ctx.db, caller, organizationId);
  return listProjects(ctx.db, organizationId, page);
}

/** A project of one of the caller's organizations; anything else is a 404. */
export async function ownProject(db: Queryable, caller: CallerIdentity, id: string, forUpdate?: boolean) {
  const project = await findProject(db, id, forUpdate);
  const org = project && (await findOrganization(db, project.organizationId));
  if (!project || !org || org.ownerId !== caller.userId) throw new NotFoundError("project", id);
  return project;
}

export async function updateProject(
  ctx: UsersContext,
  caller: CallerIdentity,
  id: string,
  input: Partial<NameAndDescription>,
  ifMatch: number | undefined,
): Promise<Project> {
  const now = clock(ctx);
  return change(ctx, { name: "UpdateProject", actor: caller.userId }, async (tx) => {
    const project = await ownProject(tx, caller, id, true);
    checkVersion("project", id, project.version, ifMatch);
    const next = renamed(project, input, now);
    await saveProject(tx, next);
    await record(
      tx,
      caller.userId,
      `project:${id}`,
      project.version,
      "project-updated",
      { project: next, ownerId: caller.userId },
      now,
    );
    return next;
  });
}

export async function deleteProject(
  ctx: UsersContext,
  caller: CallerIdentity,
  id: string,
  ifMatch: number | undefined,
): Promise<void> {
  const now = clock(ctx);
  await change(ctx, { name: "DeleteProject", actor: caller.userId }, async (tx) => {
    const project = await ownProject(tx, caller, id, true);
    checkVersion("project", id, project.version, ifMatch);
    await deleteProjectRow(tx, id);
    // Owner and organization ride along so a consumer that never saw the creation can still place it.
    await record(
      tx,
      caller.userId,
      `project:${id}`,
      project.version,
      "project-deleted",
      { projectId: id, organizationId: project.organizationId, ownerId: caller.userId },
      now,
    );
  });
}
