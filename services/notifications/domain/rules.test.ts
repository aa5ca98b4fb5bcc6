import { describe, expect, it } from "vitest";
import { notificationsFor, remindersFor, type TaskFact } from "./rules.js";

const fact: TaskFact = {
  taskId: "t1",
  boardId: "b1",
  title: "Write docs",
  creatorId: "ann",
  assigneeId: "bob",
  status: "todo",
  dueAt: null,
  closed: false,
};
const who = (list: { userId: string; kind: string }[]) => list.map((n) => `${n.kind}:${n.userId}`).sort();

describe("notification rules", () => {
  it("tells the assignee of a new task, but not someone who assigns themself", () => {
    expect(who(notificationsFor(undefined, { kind: "created", actorId: "ann", fact }))).toEqual(["assigned:bob"]);
    expect(notificationsFor(undefined, { kind: "created", actorId: "bob", fact })).toEqual([]);
  });

  it("tells the new assignee on reassignment only", () => {
    const change = { kind: "updated", actorId: "ann", taskId: "t1", fact: { ...fact, assigneeId: "cid" } } as const;
    expect(who(notificationsFor(fact, change))).toEqual(["assigned:cid"]);
    const same = {
      kind: "updated",
      actorId: "ann",
      taskId: "t1",
      fact: { ...fact, title: "Write more docs" },
    } as const;
    expect(notificationsFor(fact, same)).toEqual([]);
  });

  it("tells creator and assignee, not the actor, of a status change and of a comment", () => {
    const moved = { kind: "updated", actorId: "bob", taskId: "t1", fact: { ...fact, status: "doing" } } as const;
    expect(who(notificationsFor(fact, moved))).toEqual(["status-changed:ann"]);
    const comment = { kind: "commented", actorId: "eve", taskId: "t1", excerpt: "hi" } as const;
    expect(who(notificationsFor(fact, comment))).toEqual(["commented:ann", "commented:bob"]);
  });

  it("says nothing about a task it never saw", () => {
    expect(notificationsFor(undefined, { kind: "commented", actorId: "eve", taskId: "t9", excerpt: "x" })).toEqual([]);
  });

  it("reminds once per due date: due soon within 24 h, overdue after, nothing for closed tasks", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const soon = { ...fact, dueAt: new Date("2026-03-02T11:00:00Z") };
    expect(who(remindersFor(soon, now))).toEqual(["due-soon:ann", "due-soon:bob"]);
    expect(remindersFor(soon, now)[0]!.dedupeKey).toBe("due-soon:t1:2026-03-02T11:00:00.000Z");
    expect(remindersFor({ ...fact, dueAt: new Date("2026-03-03T12:00:00Z") }, now)).toEqual([]);
    expect(who(remindersFor({ ...soon, dueAt: new Date("2026-03-01T11:00:00Z") }, now))).toEqual([
      "overdue:ann",
      "overdue:bob",
    ]);
    expect(remindersFor({ ...soon, closed: true }, now)).toEqual([]);
  });
});
