import { ConflictError, UnprocessableError } from "../../kernel/errors.js";
import { USER_LIMITS } from "./model.js";

/** Business rules of organizations and projects, as plain functions. */

export function assertRoomForOrganization(owned: number): void {
  if (owned >= USER_LIMITS.organizationsPerOwner) {
    throw new ConflictError(`an owner has at most ${USER_LIMITS.organizationsPerOwner} organizations`);
  }
}

export function assertRoomForProject(count: number): void {
  if (count >= USER_LIMITS.projectsPerOrganization) {
    throw new ConflictError(`an organization has at most ${USER_LIMITS.projectsPerOrganization} projects`);
  }
}

/** A description may not just repeat the name (ignoring case and surrounding spaces). */
export function assertDescriptionDiffers(name: string, description: string | null | undefined): void {
  if (description && description.trim().toLowerCase() === name.trim().toLowerCase()) {
    throw new UnprocessableError("the description must differ from the name", [
      { field: "body.description", message: "must differ from the name" },
    ]);
  }
}
