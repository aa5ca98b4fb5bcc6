import { describe, expect, it } from "vitest";
import { ConflictError, ForbiddenError, UnprocessableError } from "../../kernel/errors.js";
import { LIMITS } from "./model.js";
import {
  assertCancellable,
  assertCardOnBoard,
  assertCommentAuthor,
  assertDescriptionDiffers,
  assertDueDateNotPast,
  assertRoomForCard,
  assertRoomForTask,
  assertWritable,
  clampPosition,
  completedAtFor,
  statusForCard,
} from "./rules.js";

const now = new Date("2026-06-01T12:00:00Z");

describe("task rules", () => {
  it("status follows the card's type", () => {
    expect(statusForCard("backlog")).toBe("backlog");
    expect(statusForCard("doing")).toBe("doing");
    expect(statusForCard("done")).toBe("done");
  });

  it("entering a done card sets completedAt, staying keeps it, leaving clears it", () => {
    expect(completedAtFor("done", null, now)).toBe(now.toISOString());
    expect(completedAtFor("done", "2026-01-01T00:00:00.000Z", now)).toBe("2026-01-01T00:00:00.000Z");
    expect(completedAtFor("doing", "2026-01-01T00:00:00.000Z", now)).toBeNull();
  });

  it("a cancelled task is read-only", () => {
    expect(() => assertWritable({ id: "t", status: "cancelled" })).toThrow(ConflictError);
    expect(() => assertWritable({ id: "t", status: "todo" })).not.toThrow();
  });

  it("a done task cannot be cancelled, nor a cancelled one again; others can", () => {
    expect(() => assertCancellable({ id: "t", status: "done" })).toThrow(/done and cannot be cancelled/);
    expect(() => assertCancellable({ id: "t", status: "cancelled" })).toThrow(ConflictError);
    expect(() => assertCancellable({ id: "t", status: "doing" })).not.toThrow();
  });

  it("the description must differ from the title (ignoring case and spaces)", () => {
    expect(() => assertDescriptionDiffers("Write docs", " write DOCS ")).toThrow(UnprocessableError);
    expect(() => assertDescriptionDiffers("Write docs", "Explain the API")).not.toThrow();
    expect(() => assertDescriptionDiffers("Write docs", null)).not.toThrow();
  });

  it("a due date may not be in the past", () => {
    expect(() => assertDueDateNotPast("2026-05-31T12:00:00Z", now)).toThrow(UnprocessableError);
    expect(() => assertDueDateNotPast("2026-06-02T00:00:00Z", now)).not.toThrow();
    expect(() => assertDueDateNotPast(null, now)).not.toThrow();
  });

  it("the target card must be on the same board", () => {
    expect(() => assertCardOnBoard({ id: "c", boardId: "other" }, "b", "c")).toThrow(UnprocessableError);
    expect(() => assertCardOnBoard(undefined, "b", "c")).toThrow(UnprocessableError);
    expect(() => assertCardOnBoard({ id: "c", boardId: "b" }, "b", "c")).not.toThrow();
  });

  it("a board holds at most 10 cards and 1000 tasks", () => {
    expect(() => assertRoomForCard(LIMITS.cardsPerBoard - 1)).not.toThrow();
    expect(() => assertRoomForCard(LIMITS.cardsPerBoard)).toThrow(/at most 10 cards/);
    expect(() => assertRoomForTask(LIMITS.tasksPerBoard - 1)).not.toThrow();
    expect(() => assertRoomForTask(LIMITS.tasksPerBoard)).toThrow(/at most 1000 tasks/);
  });

  it("only the author changes a comment", () => {
    expect(() => assertCommentAuthor({ id: "c", authorId: "alice" }, "bob")).toThrow(ForbiddenError);
    expect(() => assertCommentAuthor({ id: "c", authorId: "alice" }, "alice")).not.toThrow();
  });

  it("positions default to the end and are clamped into the list", () => {
    expect(clampPosition(undefined, 3)).toBe(3);
    expect(clampPosition(10, 3)).toBe(3);
    expect(clampPosition(1, 3)).toBe(1);
  });
});
