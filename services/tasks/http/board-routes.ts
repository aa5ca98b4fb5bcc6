import { z } from "zod";
import { type AnyRoute, route } from "../../kernel/http/route.js";
import { pageOf } from "../../kernel/http/schemas.js";
import { commentCounts, listBoards } from "../data-access/store.js";
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
import { type TasksContext, visibleBoard } from "../domain/context.js";
import {
  boardIdParams,
  boardSchema,
  cardIdParams,
  cardSchema,
  createBoardBody,
  createCardBody,
  listBoardsQuery,
  renameBoardBody,
  updateCardBody,
} from "./schemas.js";

/** Boards and their cards (columns): thin handlers over the use cases in `domain/boards.ts`. */

const scopeRead = "tasks:read";
const scopeWrite = "tasks:write";

export function boardRoutes(ctx: TasksContext): AnyRoute[] {
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
      summary: "Read a board (its owner, or anyone with a task assigned on it)",
      tag: "boards",
      scope: scopeRead,
      params: boardIdParams,
      responses: { 200: { description: "The board", schema: boardSchema } },
      handler: async ({ caller, params }) => {
        const board = await visibleBoard(ctx.db, caller, params.boardId);
        return { status: 200, body: board, etag: board.version };
      },
    }),
    route({
      method: "get",
      path: "/boards/:boardId/comment-counts",
      summary: "How many comments each task of a board has (tasks with none are absent)",
      tag: "boards",
      scope: scopeRead,
      params: boardIdParams,
      responses: {
        200: { description: "Counts by task id", schema: z.object({ counts: z.record(z.string(), z.number().int()) }) },
      },
      handler: async ({ caller, params }) => {
        const board = await visibleBoard(ctx.db, caller, params.boardId);
        const mine = board.ownerId === caller.userId ? undefined : caller.userId;
        return { status: 200, body: { counts: await commentCounts(ctx.db, params.boardId, mine) } };
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
  ];
}
