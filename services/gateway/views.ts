import type { ServiceName } from "../platform.js";

/**
 * Composed views: one gateway request fans out to several upstream reads in parallel. When a
 * secondary upstream is down the view still answers, with that part `null` and its name in
 * `unavailable` (and `partial: true`); when the primary part is missing (404) or down, the
 * view answers as that part did.
 */
export interface ViewPart {
  readonly name: string;
  readonly service: ServiceName;
  /** Upstream path below `/api/v<n>`, from the view's path parameters and the caller's id. */
  readonly path: (params: Readonly<Record<string, string>>, userId: string) => string;
  /** The view exists only if this part does. */
  readonly primary?: boolean;
}

export interface ViewDefinition {
  /** Path below `/api/v<n>`, `:id` for a path segment. */
  readonly path: string;
  readonly parts: readonly ViewPart[];
}

const id = (params: Readonly<Record<string, string>>) => encodeURIComponent(params.id ?? "");

export const VIEWS: readonly ViewDefinition[] = [
  {
    path: "/dashboard",
    parts: [
      { name: "profile", service: "users", path: () => "/users/me", primary: true },
      { name: "organizations", service: "users", path: () => "/organizations?pageSize=50" },
      { name: "boards", service: "tasks", path: () => "/boards?pageSize=50" },
      {
        name: "assignedTasks",
        service: "tasks",
        path: (_p, userId) => `/tasks?assigneeId=${encodeURIComponent(userId)}&pageSize=20`,
      },
      { name: "notifications", service: "notifications", path: () => "/notifications?unread=true&pageSize=10" },
    ],
  },
  {
    path: "/boards/:id/details",
    parts: [
      { name: "board", service: "tasks", path: (p) => `/boards/${id(p)}`, primary: true },
      { name: "cards", service: "tasks", path: (p) => `/boards/${id(p)}/cards?pageSize=50` },
      { name: "tasks", service: "tasks", path: (p) => `/tasks?boardId=${id(p)}&pageSize=100` },
    ],
  },
  {
    path: "/tasks/:id/details",
    parts: [
      { name: "task", service: "tasks", path: (p) => `/tasks/${id(p)}`, primary: true },
      { name: "comments", service: "tasks", path: (p) => `/tasks/${id(p)}/comments?pageSize=100` },
      { name: "activities", service: "tasks", path: (p) => `/tasks/${id(p)}/activities?pageSize=100` },
    ],
  },
];

/** What one part's upstream call produced. */
export type PartOutcome =
  | { readonly kind: "ok"; readonly body: unknown }
  | { readonly kind: "status"; readonly status: number; readonly body: unknown }
  | { readonly kind: "unavailable" };

export type ViewAnswer =
  | { readonly status: 200; readonly body: Record<string, unknown> }
  /** The primary part's answer, passed on as it came. */
  | { readonly status: number; readonly passThrough: unknown }
  | { readonly status: 503; readonly unavailable: string };

/** Assembles the parts' outcomes into the view's answer. */
export function composeView(view: ViewDefinition, outcomes: readonly PartOutcome[]): ViewAnswer {
  const body: Record<string, unknown> = {};
  const unavailable: string[] = [];
  for (const [index, part] of view.parts.entries()) {
    const outcome = outcomes[index]!;
    if (part.primary) {
      if (outcome.kind === "unavailable") return { status: 503, unavailable: part.service };
      if (outcome.kind === "status") return { status: outcome.status, passThrough: outcome.body };
    }
    if (outcome.kind === "ok") body[part.name] = outcome.body;
    else {
      body[part.name] = null;
      unavailable.push(part.name);
    }
  }
  return { status: 200, body: { ...body, partial: unavailable.length > 0, unavailable } };
}
