import type { CachedReads } from "../../kernel/cached-read.js";
import { NotFoundError } from "../../kernel/errors.js";
import { type AnyRoute, type ApiVersion, route } from "../../kernel/http/route.js";
import { pageOf } from "../../kernel/http/schemas.js";
import { findBoard, findTask, listBoards } from "../data-access/store.js";
import {
  addCard,
  cardsOfBoard,
  createBoard,
  deleteBoard,
  deleteCard,
  ownCard,
  renameBoard,
  updateCard,
} from "../domain/boards.js";
import { activitiesOf, addComment, commentsOf, deleteComment, editComment, getComment } from "../domain/comments.js";
import { ownBoard, type TasksContext } from "../domain/context.js";
import type { Task } from "../domain/model.js";
import { assignTask, cancelTask, createTask, findTasks, moveTask, updateTask } from "../domain/tasks.js";
import {
  activitySchema,
  assignTaskBody,
  boardIdParams,
  boardSchema,
  cancelTaskBody,
  cardIdParams,
  cardSchema,
  commentBody,
  commentIdParams,
  commentSchema,
  createBoardBody,
  createCardBody,
  createTaskBody,
  editCommentBody,
  listBoardsQuery,
  listTasksQuery,
  moveTaskBody,
  pageOnlyQuery,
  renameBoardBody,
  taskByVersion,
  taskIdParams,
  taskPageByVersion,
  toTaskV1,
  toTaskV2,
  updateCardBody,
  updateTaskBody,
} from "./schemas.js";

/** The tasks API: thin handlers that validate (by declaration), call a use case and shape the answer. */

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
    route({
      method: "post",
      path: "/boards",
      summary: "Create a board in a project",
      tag: "boards",
      scope: scopeWrite,
      body: createBoardBody,
      idempotencyKey: true,
      responses: { 201: { description: "Created", schema: boardSchema } },
      handler: async ({ caller, body, version }) => {
        const board = await createBoard(ctx, caller, body);
        return { status: 201, body: board, etag: board.version, location: `/api/v${version}/boards/${board.id}` };
      },
    }),
    route({
      method: "get",
      path: "/boards",
      summary: "List the caller's boards",
      tag: "boards",
      scope: scopeRead,
      query: listBoardsQuery,
      responses: { 200: { description: "A page of boards", schema: pageOf(boardSchema) } },
      handler: async ({ caller, query }) => ({
        status: 200,
        body: await listBoards(ctx.db, caller.userId, query),
      }),
    }),
    route({
      method: "get",
      path: "/boards/:boardId",
      summary: "Read a board",
      tag: "boards",
      scope: scopeRead,
      params: boardIdParams,
      responses: { 200: { description: "The board", schema: boardSchema } },
      handler: async ({ caller, params }) => {
        const board = await ownBoard(ctx.db, caller, params.boardId);
        return { status: 200, body: board, etag: board.version };
      },
    }),
    route({
      method: "patch",
      path: "/boards/:boardId",
      summary: "Rename a board",
      tag: "boards",
      scope: scopeWrite,
      params: boardIdParams,
      body: renameBoardBody,
      ifMatch: "required",
      responses: { 200: { description: "The renamed board", schema: boardSchema } },
      handler: async ({ caller, params, body, ifMatch }) => {
        const board = await renameBoard(ctx, caller, params.boardId, body, ifMatch);
        return { status: 200, body: board, etag: board.version };
      },
    }),
    route({
      method: "delete",
      path: "/boards/:boardId",
      summary: "Delete a board with its cards, tasks and comments",
      tag: "boards",
      scope: scopeWrite,
      params: boardIdParams,
      ifMatch: "required",
      responses: { 204: { description: "Deleted" } },
      handler: async ({ caller, params, ifMatch }) => {
        await deleteBoard(ctx, caller, params.boardId, ifMatch);
        return { status: 204 };
      },
    }),
    route({
      method: "post",
      path: "/boards/:boardId/cards",
      summary: "Add a card (column) to a board",
      tag: "cards",
      scope: scopeWrite,
      params: boardIdParams,
      body: createCardBody,
      idempotencyKey: true,
      responses: { 201: { description: "Created", schema: cardSchema } },
      handler: async ({ caller, params, body, version }) => {
        const card = await addCard(ctx, caller, params.boardId, body);
        return { status: 201, body: card, etag: card.version, location: `/api/v${version}/cards/${card.id}` };
      },
    }),
    route({
      method: "get",
      path: "/boards/:boardId/cards",
      summary: "List a board's cards in order",
      tag: "cards",
      scope: scopeRead,
      params: boardIdParams,
      responses: { 200: { description: "The cards", schema: cardSchema.array() } },
      handler: async ({ caller, params }) => ({ status: 200, body: await cardsOfBoard(ctx, caller, params.boardId) }),
    }),
    route({
      method: "get",
      path: "/cards/:cardId",
      summary: "Read a card",
      tag: "cards",
      scope: scopeRead,
      params: cardIdParams,
      responses: { 200: { description: "The card", schema: cardSchema } },
      handler: async ({ caller, params }) => {
        const card = await ownCard(ctx, caller, params.cardId);
        return { status: 200, body: card, etag: card.version };
      },
    }),
    route({
      method: "patch",
      path: "/cards/:cardId",
      summary: "Rename, retype (when empty) or reorder a card",
      tag: "cards",
      scope: scopeWrite,
      params: cardIdParams,
      body: updateCardBody,
      ifMatch: "required",
      responses: { 200: { description: "The card", schema: cardSchema } },
      handler: async ({ caller, params, body, ifMatch }) => {
        const card = await updateCard(ctx, caller, params.cardId, body, ifMatch);
        return { status: 200, body: card, etag: card.version };
      },
    }),
    route({
      method: "delete",
      path: "/cards/:cardId",
      summary: "Delete an empty card",
      tag: "cards",
      scope: scopeWrite,
      params: cardIdParams,
      ifMatch: "required",
      responses: { 204: { description: "Deleted" } },
      handler: async ({ caller, params, ifMatch }) => {
        await deleteCard(ctx, caller, params.cardId, ifMatch);
        return { status: 204 };
      },
    }),
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
          const task = await findTask(ctx.db, params.taskId);
          const board = task && (await findBoard(ctx.db, task.boardId));
          return task && board ? { task, ownerId: board.ownerId } : undefined;
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
