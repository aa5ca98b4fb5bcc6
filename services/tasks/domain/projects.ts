import { setTimeout as sleep } from "node:timers/promises";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import type { Queryable } from "../../kernel/db/database.js";
import { NotFoundError } from "../../kernel/errors.js";
import { findKnownProject, type KnownProject } from "../data-access/project-owners.js";
import type { ProjectWait, TasksContext } from "./context.js";

/**
 * Boards belong to projects, which the users service owns; the tasks service learns of them
 * from `user-events` (see `user-events.ts`). Another user's project, a deleted one or one
 * never announced is a 404, as any resource not the caller's (docs/design.md, domain).
 */

/**
 * Replication is asynchronous: right after creating a project through the users service its
 * owner may already ask for a board, before the event arrived here. 750 ms covers a healthy
 * relay (it polls every 250 ms, and is woken at once on commit) and broker, and ends well
 * before the gateway's per-attempt timeout (`UPSTREAM_TIMEOUT_MS`): a wrong id must be a
 * prompt 404, never a timeout that counts against the circuit breaker every caller shares.
 */
export const DEFAULT_PROJECT_WAIT: ProjectWait = { timeoutMs: 750, pollMs: 50 };

/** The 404 unless the project is known, live and the caller's. */
function assertOwned(project: KnownProject | undefined, caller: CallerIdentity, projectId: string): void {
  if (!project || project.deleted || project.ownerId !== caller.userId) throw new NotFoundError("project", projectId);
}

/** Throws the 404 unless the project is known, live and the caller's. */
export async function assertOwnProject(db: Queryable, caller: CallerIdentity, projectId: string): Promise<void> {
  assertOwned(await findKnownProject(db, projectId), caller, projectId);
}

/**
 * `assertOwnProject`, but a project not heard of yet is waited for (polling the read model,
 * outside any transaction so that the wait holds no connection or lock) up to `ctx.projectWait`.
 * A project known to be someone else's or deleted is a 404 at once.
 */
export async function awaitOwnProject(ctx: TasksContext, caller: CallerIdentity, projectId: string): Promise<void> {
  const wait = ctx.projectWait ?? DEFAULT_PROJECT_WAIT;
  const deadline = Date.now() + wait.timeoutMs;
  let project = await findKnownProject(ctx.db, projectId);
  while (!project && Date.now() < deadline) {
    await sleep(Math.min(wait.pollMs, Math.max(0, deadline - Date.now())));
    project = await findKnownProject(ctx.db, projectId);
  }
  assertOwned(project, caller, projectId);
}
