import { z } from "zod";
import { type AnyRoute, type ApiVersion, route } from "../../kernel/http/route.js";
import { pageOf, pageQuery } from "../../kernel/http/schemas.js";
import type { UsersContext } from "../domain/context.js";
import {
  createOrganization,
  createProject,
  deleteOrganization,
  deleteProject,
  organizationsOf,
  ownOrganization,
  ownProject,
  projectsOf,
  updateOrganization,
  updateProject,
} from "../domain/organizations.js";
import { createOwnProfile, ownProfile, updateOwnProfile } from "../domain/profiles.js";
import {
  createNamedBody,
  createProfileBody,
  organizationIdParams,
  organizationSchema,
  profileSchema,
  projectIdParams,
  projectSchema,
  updateNamedBody,
  updateProfileBody,
} from "./schemas.js";

/** The users API: the caller's profile, organizations and projects. Only v1 exists. */

const versions: readonly ApiVersion[] = [1];
const pageOnly = z.object(pageQuery);

export function usersRoutes(ctx: UsersContext): AnyRoute[] {
  return [
    route({
      method: "post",
      path: "/users",
      versions,
      summary: "Create the caller's profile (local use; normally made from the registration event)",
      tag: "users",
      body: createProfileBody,
      idempotencyKey: true,
      responses: { 201: { description: "Created", schema: profileSchema } },
      handler: async ({ caller, body }) => {
        const profile = await createOwnProfile(ctx, caller, body);
        return { status: 201, body: profile, etag: profile.version, location: "/api/v1/users/me" };
      },
    }),
    route({
      method: "get",
      path: "/users/me",
      versions,
      summary: "Read the caller's profile",
      tag: "users",
      responses: { 200: { description: "The profile", schema: profileSchema } },
      handler: async ({ caller }) => {
        const profile = await ownProfile(ctx, caller);
        return { status: 200, body: profile, etag: profile.version };
      },
    }),
    route({
      method: "patch",
      path: "/users/me",
      versions,
      summary: "Change the caller's display name",
      tag: "users",
      body: updateProfileBody,
      ifMatch: "required",
      responses: { 200: { description: "The profile", schema: profileSchema } },
      handler: async ({ caller, body, ifMatch }) => {
        const profile = await updateOwnProfile(ctx, caller, body, ifMatch);
        return { status: 200, body: profile, etag: profile.version };
      },
    }),
    route({
      method: "post",
      path: "/organizations",
      versions,
      summary: "Create an organization (at most 6 per owner)",
      tag: "organizations",
      body: createNamedBody,
      idempotencyKey: true,
      responses: { 201: { description: "Created", schema: organizationSchema } },
      handler: async ({ caller, body }) => {
        const org = await createOrganization(ctx, caller, body);
        return { status: 201, body: org, etag: org.version, location: `/api/v1/organizations/${org.id}` };
      },
    }),
    route({
      method: "get",
      path: "/organizations",
      versions,
      summary: "List the caller's organizations",
      tag: "organizations",
      query: pageOnly,
      responses: { 200: { description: "A page of organizations", schema: pageOf(organizationSchema) } },
      handler: async ({ caller, query }) => ({ status: 200, body: await organizationsOf(ctx, caller, query) }),
    }),
    route({
      method: "get",
      path: "/organizations/:organizationId",
      versions,
      summary: "Read an organization",
      tag: "organizations",
      params: organizationIdParams,
      responses: { 200: { description: "The organization", schema: organizationSchema } },
      handler: async ({ caller, params }) => {
        const org = await ownOrganization(ctx.db, caller, params.organizationId);
        return { status: 200, body: org, etag: org.version };
      },
    }),
    route({
      method: "patch",
      path: "/organizations/:organizationId",
      versions,
      summary: "Rename an organization or change its description",
      tag: "organizations",
      params: organizationIdParams,
      body: updateNamedBody,
      ifMatch: "required",
      responses: { 200: { description: "The organization", schema: organizationSchema } },
      handler: async ({ caller, params, body, ifMatch }) => {
        const org = await updateOrganization(ctx, caller, params.organizationId, body, ifMatch);
        return { status: 200, body: org, etag: org.version };
      },
    }),
    route({
      method: "delete",
      path: "/organizations/:organizationId",
      versions,
      summary: "Delete an organization and its projects",
      tag: "organizations",
      params: organizationIdParams,
      ifMatch: "required",
      responses: { 204: { description: "Deleted" } },
      handler: async ({ caller, params, ifMatch }) => {
        await deleteOrganization(ctx, caller, params.organizationId, ifMatch);
        return { status: 204 };
      },
    }),
    route({
      method: "post",
      path: "/organizations/:organizationId/projects",
      versions,
      summary: "Create a project (at most 6 per organization)",
      tag: "projects",
      params: organizationIdParams,
      body: createNamedBody,
      idempotencyKey: true,
      responses: { 201: { description: "Created", schema: projectSchema } },
      handler: async ({ caller, params, body }) => {
        const project = await createProject(ctx, caller, params.organizationId, body);
        return { status: 201, body: project, etag: project.version, location: `/api/v1/projects/${project.id}` };
      },
    }),
    route({
      method: "get",
      path: "/organizations/:organizationId/projects",
      versions,
      summary: "List an organization's projects",
      tag: "projects",
      params: organizationIdParams,
      query: pageOnly,
      responses: { 200: { description: "A page of projects", schema: pageOf(projectSchema) } },
      handler: async ({ caller, params, query }) => ({
        status: 200,
        body: await projectsOf(ctx, caller, params.organizationId, query),
      }),
    }),
    route({
      method: "get",
      path: "/projects/:projectId",
      versions,
      summary: "Read a project",
      tag: "projects",
      params: projectIdParams,
      responses: { 200: { description: "The project", schema: projectSchema } },
      handler: async ({ caller, params }) => {
        const project = await ownProject(ctx.db, caller, params.projectId);
        return { status: 200, body: project, etag: project.version };
      },
    }),
    route({
      method: "patch",
      path: "/projects/:projectId",
      versions,
      summary: "Rename a project or change its description",
      tag: "projects",
      params: projectIdParams,
      body: updateNamedBody,
      ifMatch: "required",
      responses: { 200: { description: "The project", schema: projectSchema } },
      handler: async ({ caller, params, body, ifMatch }) => {
        const project = await updateProject(ctx, caller, params.projectId, body, ifMatch);
        return { status: 200, body: project, etag: project.version };
      },
    }),
    route({
      method: "delete",
      path: "/projects/:projectId",
      versions,
      summary: "Delete a project",
      tag: "projects",
      params: projectIdParams,
      ifMatch: "required",
      responses: { 204: { description: "Deleted" } },
      handler: async ({ caller, params, ifMatch }) => {
        await deleteProject(ctx, caller, params.projectId, ifMatch);
        return { status: 204 };
      },
    }),
  ];
}
