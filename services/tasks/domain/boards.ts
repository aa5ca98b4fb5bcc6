import { randomUUID } from "node:crypto";
import type { CallerIdentity } from "../../kernel/auth/caller.js";
import { checkVersion } from "../../kernel/commands.js";
import type { Queryable } from "../../kernel/db/database.js";
import { ConflictError, NotFoundError } from "../../kernel/errors.js";
import { countCards, countTasks, findBoard, findCard, listCards } from "../data-access/store.js";
import { change, ownBoard, type TasksContext, visibleBoard } from "./context.js";
import type { Board, Card, CardType } from "./model.js";
import { assertOwnProject, awaitOwnProject } from "./projects.js";
import { assertRoomForCard, clampPosition } from "./rules.js";

/** Boards and their cards (columns). */

export async function createBoard(
  ctx: TasksContext,
  caller: CallerIdentity,
  input: { projectId: string; name: string; commandId?: string | undefined },
): Promise<Board> {
  const id = randomUUID();
  await awaitOwnProject(ctx, caller, input.projectId);
  return change(ctx, { name: "CreateBoard", actor: caller.userId, commandId: input.commandId, input }, async (w) => {
    // Again in the transaction: the project may have been deleted while we waited.
    await assertOwnProject(w.tx, caller, input.projectId);
    await w.append(`board:${id}`, 0, "board-created", {
      boardId: id,
      projectId: input.projectId,
      ownerId: caller.userId,
      name: input.name,
    });
    return (await findBoard(w.tx, id))!;
  });
}

export async function renameBoard(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: { name: string },
  ifMatch: number | undefined,
): Promise<Board> {
  return change(ctx, { name: "RenameBoard", actor: caller.userId }, async (w) => {
    const board = await ownBoard(w.tx, caller, id, true);
    checkVersion("board", id, board.version, ifMatch);
    await w.append(`board:${id}`, board.version, "board-renamed", { boardId: id, name: input.name });
    return (await findBoard(w.tx, id))!;
  });
}

export async function deleteBoard(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  ifMatch: number | undefined,
): Promise<void> {
  await change(ctx, { name: "DeleteBoard", actor: caller.userId }, async (w) => {
    const board = await ownBoard(w.tx, caller, id, true);
    checkVersion("board", id, board.version, ifMatch);
    const tasks = await w.tx.query<{ id: string }>("SELECT id FROM tasks WHERE board_id = $1", [id]);
    await w.append(`board:${id}`, board.version, "board-deleted", { boardId: id });
    w.touch(...tasks.map((t) => t.id));
  });
}

export async function addCard(
  ctx: TasksContext,
  caller: CallerIdentity,
  boardId: string,
  input: {
    name: string;
    type: CardType;
    position?: number | undefined;
    wipLimit?: number | null | undefined;
    commandId?: string | undefined;
  },
): Promise<Card> {
  const id = randomUUID();
  return change(
    ctx,
    { name: "AddCard", actor: caller.userId, commandId: input.commandId, input: [boardId, input] },
    async (w) => {
      await ownBoard(w.tx, caller, boardId, true);
      const count = await countCards(w.tx, boardId);
      assertRoomForCard(count);
      await w.append(`card:${id}`, 0, "card-created", {
        cardId: id,
        boardId,
        name: input.name,
        type: input.type,
        position: clampPosition(input.position, count),
        wipLimit: input.wipLimit ?? null,
      });
      return (await findCard(w.tx, id))!;
    },
  );
}

/** A card of one of the caller's boards; anything else is a 404. */
export async function ownCard(ctx: TasksContext, caller: CallerIdentity, id: string): Promise<Card> {
  const card = await findCard(ctx.db, id);
  if (!card) throw new NotFoundError("card", id);
  await ownBoard(ctx.db, caller, card.boardId).catch(() => {
    throw new NotFoundError("card", id);
  });
  return card;
}

export async function updateCard(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  input: {
    name?: string | undefined;
    type?: CardType | undefined;
    position?: number | undefined;
    wipLimit?: number | null | undefined;
  },
  ifMatch: number | undefined,
): Promise<Card> {
  return change(ctx, { name: "UpdateCard", actor: caller.userId }, async (w) => {
    const card = await lockedCard(w.tx, caller, id);
    checkVersion("card", id, card.version, ifMatch);
    // Tasks take their status from their card's type, so a card with tasks keeps its type.
    if (
      input.type &&
      input.type !== card.type &&
      (await countTasks(w.tx, { boardId: card.boardId, cardId: id })).card > 0
    ) {
      throw new ConflictError(`card "${id}" has tasks; move them out before changing its type`, {
        fields: [{ field: "body.type", message: "cannot change while the card has tasks" }],
      });
    }
    const others = (await countCards(w.tx, card.boardId)) - 1;
    await w.append(`card:${id}`, card.version, "card-updated", {
      cardId: id,
      boardId: card.boardId,
      name: input.name ?? card.name,
      type: input.type ?? card.type,
      position: input.position === undefined ? card.position : clampPosition(input.position, others),
      wipLimit: input.wipLimit === undefined ? card.wipLimit : input.wipLimit,
    });
    return (await findCard(w.tx, id))!;
  });
}

export async function deleteCard(
  ctx: TasksContext,
  caller: CallerIdentity,
  id: string,
  ifMatch: number | undefined,
): Promise<void> {
  await change(ctx, { name: "DeleteCard", actor: caller.userId }, async (w) => {
    const card = await lockedCard(w.tx, caller, id);
    checkVersion("card", id, card.version, ifMatch);
    if ((await countTasks(w.tx, { boardId: card.boardId, cardId: id })).card > 0) {
      throw new ConflictError(`card "${id}" still has tasks; move or cancel them first`);
    }
    await w.append(`card:${id}`, card.version, "card-deleted", { cardId: id, boardId: card.boardId });
  });
}

export async function cardsOfBoard(ctx: TasksContext, caller: CallerIdentity, boardId: string): Promise<Card[]> {
  await visibleBoard(ctx.db, caller, boardId);
  return listCards(ctx.db, boardId);
}

async function lockedCard(tx: Queryable, caller: CallerIdentity, id: string): Promise<Card> {
  const card = await findCard(tx, id);
  if (!card) throw new NotFoundError("card", id);
  // Lock the board: card positions and counts are per board.
  await ownBoard(tx, caller, card.boardId, true).catch(() => {
    throw new NotFoundError("card", id);
  });
  return (await findCard(tx, id, true))!;
}
