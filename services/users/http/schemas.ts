import { z } from "zod";
import { commandId, uuid } from "../../kernel/http/schemas.js";
import { USER_LIMITS } from "../domain/model.js";

/** Request and response schemas of the users API (v1). */

const name = () =>
  z
    .string()
    .trim()
    .min(USER_LIMITS.nameMin, `must be at least ${USER_LIMITS.nameMin} characters`)
    .max(USER_LIMITS.nameMax, `must be at most ${USER_LIMITS.nameMax} characters`);
const description = () =>
  z.string().trim().max(USER_LIMITS.descriptionMax, `must be at most ${USER_LIMITS.descriptionMax} characters`);
const displayName = () =>
  z
    .string()
    .trim()
    .min(USER_LIMITS.displayNameMin, `must be at least ${USER_LIMITS.displayNameMin} characters`)
    .max(USER_LIMITS.displayNameMax, `must be at most ${USER_LIMITS.displayNameMax} characters`);

export const createProfileBody = z.strictObject({ email: z.email().max(254), displayName: displayName() });
export const updateProfileBody = z.strictObject({ displayName: displayName() });

export const organizationIdParams = z.object({ organizationId: uuid() });
export const projectIdParams = z.object({ projectId: uuid() });

export const createNamedBody = z.strictObject({
  name: name(),
  description: description().nullable().optional(),
  commandId,
});
export const updateNamedBody = z
  .strictObject({ name: name().optional(), description: description().nullable().optional() })
  .refine((v) => Object.keys(v).length > 0, "change at least one field");

export const profileSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const organizationSchema = z.object({
  id: z.uuid(),
  ownerId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const projectSchema = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
