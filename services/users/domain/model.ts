/** The users domain (docs/design.md, domain): profiles, organizations (≤ 6 per owner) and their projects (≤ 6 each). */

export const USER_LIMITS = {
  organizationsPerOwner: 6,
  projectsPerOrganization: 6,
  nameMin: 3,
  nameMax: 50,
  descriptionMax: 100,
  displayNameMin: 3,
  displayNameMax: 50,
} as const;

export interface Profile {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Organization {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly description: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface Project {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly description: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Topic the users service publishes on; event types below. */
export const USER_EVENTS_TOPIC = "user-events";
export const USER_EVENT_TYPES = [
  "profile-created",
  "profile-updated",
  "profile-creation-failed",
  "organization-created",
  "organization-updated",
  "organization-deleted",
  "project-created",
  "project-updated",
  "project-deleted",
] as const;
export type UserEventType = (typeof USER_EVENT_TYPES)[number];
