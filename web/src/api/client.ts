import createClient, { type Middleware } from "openapi-fetch";
import type { paths as IdentityPaths } from "./identity.ts";
import type { paths as NotificationsPaths } from "./notifications.ts";
import { session } from "./session.ts";
import type { components as TasksComponents, paths as TasksPaths } from "./tasks.ts";
import type { paths as UsersPaths } from "./users.ts";

/**
 * One typed client per service, from the types `scripts/web-api.ts` generates out of the
 * services' OpenAPI documents. Every request carries the in-memory access token; a 401 gets
 * one silent refresh through the session cookie, then the request is sent again.
 */

export type Problem = TasksComponents["schemas"]["Problem"];

const auth: Middleware = {
  async onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || request.headers.get("x-retried") || !session.token()) return response;
    if (!(await session.refresh())) return response;
    const again = new Request(request, { headers: new Headers(request.headers) });
    again.headers.set("authorization", `Bearer ${session.token()}`);
    again.headers.set("x-retried", "1");
    return fetch(again);
  },
};

function client<P extends {}>() {
  const c = createClient<P>({ baseUrl: location.origin });
  c.use(auth);
  return c;
}

export const tasksApi = client<TasksPaths>();
export const usersApi = client<UsersPaths>();
export const identityApi = client<IdentityPaths>();
export const notificationsApi = client<NotificationsPaths>();

/** `"3"` for version 3: the ETag an If-Match repeats. */
export const etag = (version: number) => `"${version}"`;

/** The problem's `detail` as the API wrote it, or a plain fallback for a network failure. */
export function problemText(error: unknown, fallback = "Something went wrong; try again."): string {
  if (error && typeof error === "object" && "detail" in error && typeof error.detail === "string") return error.detail;
  return fallback;
}

/** Unwraps an openapi-fetch answer: the data, or an Error carrying the problem and status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<Problem> & { type?: string; detail?: string },
  ) {
    super(problemText(problem));
  }
}

export async function must<T>(
  answer: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; response: Response }> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await answer;
  } catch {
    throw new ApiError(0, { detail: "Cannot reach TaskFlow. Check your connection and try again." });
  }
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiError(result.response.status, (result.error ?? {}) as ApiError["problem"]);
  }
  return { data: result.data as T, response: result.response };
}
