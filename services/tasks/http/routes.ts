import type { CachedReads } from "../../kernel/cached-read.js";
import { NotFoundError } from "../../kernel/errors.js";
import { type AnyRoute, type ApiVersion, route } from "../../kernel/http/route.js";
import { pageOf } from "../../kernel/http/schemas.js";
import { findTaskWithBoard } from "../data-access/store.js";
import { activitiesOf, addComment, commentsOf, deleteComment, editComment, getComment } from "../domain/comments.js";
import type { TasksContext } from "../domain/context.js";
import type { Task } from "../domain/model.js";
import { assignTask, cancelTask, createTask, findTasks, moveTask, updateTask } from "../domain/tasks.js";
import { boardRoutes } from "./board-routes.js";
import {
  activitySchema,
  assignTaskBody,
  boardIdParams,
  cancelTaskBody,
  commentBody,
  commentIdParams,
  commentSchema,
  createTaskBody,
  editCommentBody,
  listTasksQuery,
  moveTaskBody,
  pageOnlyQuery,
  taskByVersion,
  taskIdParams,
  taskPageByVersion,
  toTaskV1,
  toTaskV2,
  updateTaskBody,
} from "./schemas.js";

/** The tasks API: thin handlers that validate (by declaration), call a use case and shape the answer. Boards and cards are in `board-routes.ts`. */

export interface TasksHttpDeps {
  readonly ctx: TasksContext;
  /** Cached single-task reads; invalidated by the service after each commit. */
  readonly reads: CachedReads;
}

const present = (task: Task, version: ApiVersion) => (version === 2 ? toTaskV2(task) : toTaskV1(task));
const scopeRead = "tasks:read";
const scopeWrite = "tasks:write";

export function taskCacheKey(id: string): string {
  return `task:${id}`;
}

export function tasksRoutes({ ctx, reads }: TasksHttpDeps): AnyRoute[] {
  const taskResult = (task: Task, version: ApiVersion, status = 200) => ({
    status,
    body: present(task, version),
    etag: task.version,
    ...(status === 201 ? { location: `/api/v${version}/tasks/${task.id}` } : {}),
  });
  const taskResponse = { description: "The task (v2 groups state, assignee and dates)", schema: taskByVersion };

  return [
    ...boardRoutes(ctx),
    route({
      method: "post",
      path: "/boards/:boardId/tasks",
      summary: "Create a task in a card of the board",
      tag: "tasks",
      scope: scopeWrite,
      params: boardIdParams,
      body: createTaskBody,
      idempotencyKey: true,
      responses: { 201: taskResponse },
      handler: async ({ caller, params, body, version }) =>
        taskResult(await createTask(ctx, caller, params.boardId, body), version, 201),
    }),
    route({
      method: "get",
      path: "/tasks",
      summary: "Find tasks on the caller's boards or assigned to the caller",
      tag: "tasks",
      scope: scopeRead,
      query: listTasksQuery,
      responses: { 200: { description: "A page of tasks", schema: taskPageByVersion } },
      handler: async ({ caller, query, version }) => {
        const page = await findTasks(ctx, caller, query);
        return { status: 200, body: { ...page, items: page.items.map((t) => present(t, version)) } };
      },
    }),
    route({
      method: "get",
      path: "/tasks/:taskId",
      summary: "Read a task (cached)",
      tag: "tasks",
      scope: scopeRead,
      params: taskIdParams,
      responses: { 200: taskResponse },
      handler: async ({ caller, params, version }) => {
        const entry = await reads.read(taskCacheKey(params.taskId), async () => {
          const found = await findTaskWithBoard(ctx.db, params.taskId);
          return found && { task: found.task, ownerId: found.board.ownerId };
        });
        if (!entry || (entry.ownerId !== caller.userId && entry.task.assigneeId !== caller.userId)) {
          throw new NotFoundError("task", params.taskId);
        }
        return taskResult(entry.task, version);
      },
    }),
    route({
      method: "patch",
      path: "/tasks/:taskId",
      summary: "Change a task's title, description, priority, due date or tags",
      tag: "tasks",
      scope: scopeWrite,
      params: taskIdParams,
      body: updateTaskBody,
      ifMatch: "required",
      responses: { 200: taskResponse },
      handler: async ({ caller, params, body, ifMatch, version }) =>
        taskResult(await updateTask(ctx, caller, params.taskId, body, ifMatch), version),
    }),
    route({
      method: "post",
      path: "/tasks/:taskId/move",
      summary: "Move a task to a card (and position) of the same board",
      tag: "tasks",
      scope: scopeWrite,
      params: taskIdParams,
      body: moveTaskBody,
      ifMatch: "required",
      idempotencyKey: true,
      responses: { 200: taskResponse },
      handler: async ({ caller, params, body, ifMatch, version }) =>
        taskResult(await moveTask(ctx, caller, params.taskId, body, ifMatch), version),
    }),
    route({
      method: "post",
      path: "/tasks/:taskId/assign",
      summary: "Assign a task (assigneeId null unassigns)",
      tag: "tasks",
      scope: scopeWrite,
      params: taskIdParams,
      body: assignTaskBody,
      ifMatch: "required",
      idempotencyKey: true,
      responses: { 200: taskResponse },
      handler: async ({ caller, params, body, ifMatch, version }) =>
        taskResult(await assignTask(ctx, caller, params.taskId, body, ifMatch), version),
    }),
    route({
      method: "post",
      path: "/tasks/:taskId/cancel",
      summary: "Cancel a task (not when done); it becomes read-only",
      tag: "tasks",
      scope: scopeWrite,
      params: taskIdParams,
      body: cancelTaskBody,
      ifMatch: "required",
      idempotencyKey: true,
      responses: { 200: taskResponse },
      handler: async ({ caller, params, body, ifMatch, version }) =>
        taskResult(await cancelTask(ctx, caller, params.taskId, body ?? {}, ifMatch), version),
    }),
    route({
      method: "post",
      path: "/tasks/:taskId/comments",
      summary: "Comment on a task",
      tag: "comments",
      scope: scopeWrite,
      params: taskIdParams,
      body: commentBody,
      idempotencyKey: true,
      responses: { 201: { description: "Created", schema: commentSchema } },
      handler: async ({ caller, params, body, version }) => {
        const comment = await addComment(ctx, caller, params.taskId, body);
        return {
          status: 201,
          body: comment,
          etag: comment.version,
          location: `/api/v${version}/comments/${comment.id}`,
        };
      },
    }),
    route({
      method: "get",
      path: "/tasks/:taskId/comments",
      summary: "List a task's comments, oldest first",
      tag: "comments",
      scope: scopeRead,
      params: taskIdParams,
      query: pageOnlyQuery,
      responses: { 200: { description: "A page of comments", schema: pageOf(commentSchema) } },
      handler: async ({ caller, params, query }) => ({
        status: 200,
        body: await commentsOf(ctx, caller, params.taskId, query),
      }),
    }),
    route({
      method: "get",
      path: "/comments/:commentId",
      summary: "Read a comment",
      tag: "comments",
      scope: scopeRead,
      params: commentIdParams,
      responses: { 200: { description: "The comment", schema: commentSchema } },
      handler: async ({ caller, params }) => {
        const comment = await getComment(ctx, caller, params.commentId);
        return { status: 200, body: comment, etag: comment.version };
      },
    }),
    route({
      method: "patch",
      path: "/comments/:commentId",
      summary: "Edit a comment (its author only)",
      tag: "comments",
      scope: scopeWrite,
      params: commentIdParams,
      body: editCommentBody,
      ifMatch: "required",
      responses: { 200: { description: "The comment", schema: commentSchema } },
      handler: async ({ caller, params, body, ifMatch }) => {
        const comment = await editComment(ctx, caller, params.commentId, body, ifMatch);
        return { status: 200, body: comment, etag: comment.version };
      },
    }),
    route({
      method: "delete",
      path: "/comments/:commentId",
      summary: "Delete a comment (its author only)",
      tag: "comments",
      scope: scopeWrite,
      params: commentIdParams,
      ifMatch: "required",
      responses: { 204: { description: "Deleted" } },
      handler: async ({ caller, params, ifMatch }) => {
        await deleteComment(ctx, caller, params.commentId, ifMatch);
        return { status: 204 };
      },
    }),
    route({
      method: "get",
      path: "/tasks/:taskId/activities",
      summary: "Who did what to a task, oldest first",
      tag: "activities",
      scope: scopeRead,
      params: taskIdParams,
      query: pageOnlyQuery,
      responses: { 200: { description: "A page of activities", schema: pageOf(activitySchema) } },
      handler: async ({ caller, params, query }) => ({
        status: 200,
        body: await activitiesOf(ctx, caller, params.taskId, query),
      }),
    }),
  ];
}
