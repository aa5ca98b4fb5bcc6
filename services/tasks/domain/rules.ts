import { AppError, ConflictError, ForbiddenError, UnprocessableError } from "../../kernel/errors.js";
import { type Card, type CardType, LIMITS, type Task, type TaskStatus } from "./model.js";

/** The business rules of docs/design.md (domain), as plain functions that throw the error a caller sees. */

export function statusForCard(type: CardType): TaskStatus {
  return type;
}

/** `completedAt` after a task lands in a card: set on entering done, kept while in done, cleared on leaving. */
export function completedAtFor(type: CardType, previous: string | null, now: Date): string | null {
  if (type !== "done") return null;
  return previous ?? now.toISOString();
}

/** A cancelled task is read-only. */
export function assertWritable(task: Pick<Task, "id" | "status">): void {
  if (task.status === "cancelled") throw new ConflictError(`task "${task.id}" is cancelled and read-only`);
}

/** A done task cannot be cancelled (and a cancelled one cannot be cancelled again). */
export function assertCancellable(task: Pick<Task, "id" | "status">): void {
  assertWritable(task);
  if (task.status === "done") throw new ConflictError(`task "${task.id}" is done and cannot be cancelled`);
}

export function assertDescriptionDiffers(title: string, description: string | null | undefined): void {
  if (description && description.trim().toLowerCase() === title.trim().toLowerCase()) {
    throw new UnprocessableError("the description must differ from the title", [
      { field: "body.description", message: "must differ from the title" },
    ]);
  }
}

export function assertDueDateNotPast(dueDate: string | null | undefined, now: Date): void {
  if (dueDate && Date.parse(dueDate) < now.getTime()) {
    throw new UnprocessableError("the due date is in the past", [
      { field: "body.dueDate", message: "must not be in the past" },
    ]);
  }
}

export function assertCardOnBoard(
  card: Pick<Card, "id" | "boardId"> | undefined,
  boardId: string,
  id: string,
): asserts card {
  if (!card || card.boardId !== boardId) {
    throw new UnprocessableError(`card "${id}" is not on this task's board`, [
      { field: "body.cardId", message: "must be a card on the same board" },
    ]);
  }
}

export function assertRoomForCard(cardCount: number): void {
  if (cardCount >= LIMITS.cardsPerBoard) {
    throw new ConflictError(`a board holds at most ${LIMITS.cardsPerBoard} cards`);
  }
}

export function assertRoomForTask(taskCount: number): void {
  if (taskCount >= LIMITS.tasksPerBoard) {
    throw new ConflictError(`a board holds at most ${LIMITS.tasksPerBoard} tasks`);
  }
}

export function assertCommentAuthor(comment: { id: string; authorId: string }, userId: string): void {
  if (comment.authorId !== userId) {
    throw new ForbiddenError(`only the author can change comment "${comment.id}"`);
  }
}

/** A position within a list of `count` others: the end when absent, clamped to [0, count]. */
export function clampPosition(requested: number | undefined, count: number): number {
  if (requested === undefined) return count;
  return Math.max(0, Math.min(requested, count));
}

/**
 * A card at its work-in-progress limit takes no more tasks: a 409 whose detail names the
 * column and the limit, so a client can show it as it is.
 */
export function assertUnderWipLimit(card: Pick<Card, "name" | "wipLimit">, tasksInCard: number): void {
  if (card.wipLimit !== null && tasksInCard >= card.wipLimit) {
    throw new AppError(
      409,
      "wip-limit",
      `the column "${card.name}" is at its WIP limit of ${card.wipLimit}; move a task out first`,
      { fields: [{ field: "body.cardId", message: `"${card.name}" holds at most ${card.wipLimit} tasks` }] },
    );
  }
}
