import { randomUUID } from "node:crypto";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import { checkVersion } from "../../kernel/commands.js";
import type { Queryable } from "../../kernel/db/database.js";
import { NotFoundError } from "../../kernel/errors.js";
import type { Page } from "../../kernel/page.js";
import { findComment, listActivities, listComments } from "../data-access/store.js";
import { change, clock, type TasksContext, visibleTask } from "./context.js";
import type { Activity, Comment, CommentSnapshot } from "./model.js";
import { assertCommentAuthor, assertWritable } from "./rules.js";

/** Comments on a task (its owner and its assignee may comment; only the author edits or deletes) and its activity feed. */

export async function addComment(
  ctx: TasksContext,
  caller: CallerIdentity,
  taskId: string,
  input: { body: string; commandId?: string | undefined },
): Promise<Comment> {
  const id = randomUUID();
  const now = clock(ctx).toISOString();
  return change(
    ctx,
    { name: "AddComment", actor: caller.userId, commandId: input.commandId, input: [taskId, input] },
    async (w) => {
      const { task } = await visibleTask(w.tx, caller, taskId, "read");
      assertWritable(task);
      const comment: CommentSnapshot = {
        id,
        taskId,
        authorId: caller.userId,
        body: input.body,
        createdAt: now,
        updatedAt: now,
      };
      await w.append(
        `comment:${id}`,
        0,
        "comment-added",
        { comment, boardId: task.boardId },
        { key: `task:${taskId}` },
      );
      return (await findComment(w.tx, id))!;
    },
  );
}

/** A comment on a task the caller can see; anything else is a 404. */
async function visibleComment(tx: Queryable, caller: CallerIdentity, id: string, forUpdate?: boolean) {
  const comment = await findComment(tx, id, forUpdate);
  if (!comment) throw new NotFoundError("comment", id);
  try {
    const { task } = await visibleTask(tx, caller, comment.taskId, "read");
    return { comment, task };
  } catch {
    throw new NotFoundError("comment", id);
  }
}

export async function getComment(ctx: TasksContext, caller: CallerIdentity, id: string): Promise<Comment> {
  return (await visibleComment(ctx.db, caller, id)).comment;
}

export async function editComment(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: { body: string },
  ifMatch: number | undefined,
): Promise<Comment> {
  const now = clock(ctx).toISOString();
  return change(ctx, { name: "EditComment", actor: caller.userId }, async (w) => {
    const { comment, task } = await visibleComment(w.tx, caller, id, true);
    assertCommentAuthor(comment, caller.userId);
    checkVersion("comment", id, comment.version, ifMatch);
    assertWritable(task);
    const { version, ...snapshot } = comment;
    await w.append(
      `comment:${id}`,
      version,
      "comment-edited",
      { comment: { ...snapshot, body: input.body, updatedAt: now }, boardId: task.boardId },
      { key: `task:${task.id}` },
    );
    return (await findComment(w.tx, id))!;
  });
}

export async function deleteComment(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  ifMatch: number | undefined,
): Promise<void> {
  await change(ctx, { name: "DeleteComment", actor: caller.userId }, async (w) => {
    const { comment, task } = await visibleComment(w.tx, caller, id, true);
    assertCommentAuthor(comment, caller.userId);
    checkVersion("comment", id, comment.version, ifMatch);
    assertWritable(task);
    const { version, ...snapshot } = comment;
    await w.append(
      `comment:${id}`,
      version,
      "comment-deleted",
      { comment: snapshot, boardId: task.boardId },
      {
        key: `task:${task.id}`,
      },
    );
  });
}

export async function commentsOf(
  ctx: TasksContext,
  caller: CallerIdentity,
  taskId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Comment>> {
  await visibleTask(ctx.db, caller, taskId, "read");
  return listComments(ctx.db, taskId, page);
}

export async function activitiesOf(
  ctx: TasksContext,
  caller: CallerIdentity,
  taskId: string,
  page: { page: number; pageSize: number },
): Promise<Page<Activity>> {
  await visibleTask(ctx.db, caller, taskId, "read");
  return listActivities(ctx.db, taskId, page);
}
