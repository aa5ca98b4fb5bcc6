import type { paths as IdentityPaths } from "./identity.ts";
import type { paths as NotificationsPaths } from "./notifications.ts";
import type { paths as TasksPaths } from "./tasks.ts";
import type { paths as UsersPaths } from "./users.ts";

/** The shapes the app works with, taken from the generated API types (never restated). */

type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
type Ok<O> = O extends { responses: infer R }
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer C }
      ? Json<C>
      : never
  : never;

export type Organization = Ok<UsersPaths["/api/v1/organizations/{organizationId}"]["get"]>;
export type Project = Ok<UsersPaths["/api/v1/projects/{projectId}"]["get"]>;
export type Profile = Ok<UsersPaths["/api/v1/users/me"]["get"]>;
export type Person = Ok<UsersPaths["/api/v1/users/{userId}"]["get"]>;
export type Board = Ok<TasksPaths["/api/v2/boards/{boardId}"]["get"]>;
export type Card = Ok<TasksPaths["/api/v2/cards/{cardId}"]["get"]>;
export type TaskV2 = Ok<TasksPaths["/api/v2/tasks/{taskId}"]["get"]>;
export type Comment = Ok<TasksPaths["/api/v2/comments/{commentId}"]["get"]>;
export type Activity =
  Ok<TasksPaths["/api/v2/tasks/{taskId}/activities"]["get"]> extends { items: (infer A)[] } ? A : never;
export type Notification =
  Ok<NotificationsPaths["/api/v1/notifications"]["get"]> extends { items: (infer N)[] } ? N : never;
export type ApiKey = Ok<IdentityPaths["/api/v1/api-keys"]["get"]> extends { items: (infer K)[] } ? K : never;
export type NewApiKey = Ok<IdentityPaths["/api/v1/api-keys"]["post"]>;
export type ApiKeyScope = NonNullable<
  IdentityPaths["/api/v1/api-keys"]["post"]["requestBody"]
>["content"]["application/json"]["scopes"][number];
export type Priority = TaskV2["state"]["priority"];

/**
 * A task as the board holds it: flat, as the live stream's events carry it (each event holds
 * the task after the change), with its version for If-Match.
 */
export interface Task {
  readonly id: string;
  readonly boardId: string;
  readonly cardId: string;
  readonly title: string;
  readonly description: string | null;
  readonly priority: Priority;
  readonly status: TaskV2["state"]["status"];
  readonly assigneeId: string | null;
  readonly dueDate: string | null;
  readonly tags: readonly string[];
  readonly position: number;
  readonly version: number;
}

export function fromV2(t: TaskV2): Task {
  return {
    id: t.id,
    boardId: t.boardId,
    cardId: t.cardId,
    title: t.title,
    description: t.description,
    priority: t.state.priority,
    status: t.state.status,
    assigneeId: t.assignee?.userId ?? null,
    dueDate: t.dates.dueAt,
    tags: t.tags,
    position: t.state.position,
    version: t.version,
  };
}
