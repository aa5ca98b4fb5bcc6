/**
 * Who is told what (docs/design.md, domain): assigned to you; a status change or a comment on a task you
 * created or are assigned to; a task of yours due within 24 hours; a task of yours overdue.
 * Nobody is told about their own action. Pure functions, so every rule has a plain unit test.
 */

export type NotificationKind = "assigned" | "status-changed" | "commented" | "due-soon" | "overdue";

/** What notifications keeps about a task (the `task_facts` projection). */
export interface TaskFact {
  readonly taskId: string;
  readonly boardId: string | null;
  readonly title: string;
  readonly creatorId: string | null;
  readonly assigneeId: string | null;
  readonly status: string | null;
  readonly dueAt: Date | null;
  /** Done or cancelled: no reminders any more. */
  readonly closed: boolean;
}

export interface NewNotification {
  readonly userId: string;
  readonly kind: NotificationKind;
  readonly taskId: string;
  readonly boardId: string | null;
  readonly title: string;
  readonly message: string;
  readonly actorId: string | null;
  /** Set for reminders, which must happen once per task and due date. */
  readonly dedupeKey?: string;
}

/** A task event, reduced to what the rules need (see `task-events.ts` for the mapping). */
export type TaskChange =
  | { readonly kind: "created"; readonly actorId: string; readonly fact: TaskFact }
  /** The task as it is after the change (task events carry the whole task). */
  | { readonly kind: "updated"; readonly actorId: string; readonly taskId: string; readonly fact: TaskFact }
  | { readonly kind: "commented"; readonly actorId: string; readonly taskId: string; readonly excerpt: string }
  | { readonly kind: "deleted"; readonly actorId: string; readonly taskId: string };

export const DUE_SOON_MS = 24 * 60 * 60 * 1000;

/** Applies a change to the stored fact; `undefined` when the task is gone or was never seen. */
export function applyChange(before: TaskFact | undefined, change: TaskChange): TaskFact | undefined {
  switch (change.kind) {
    case "created":
      return change.fact;
    case "updated":
      return change.fact;
    case "commented":
      return before;
    case "deleted":
      return undefined;
  }
}

const unique = (ids: readonly (string | null)[]) => [...new Set(ids.filter((id): id is string => id !== null))];

export function notificationsFor(before: TaskFact | undefined, change: TaskChange): NewNotification[] {
  const after = applyChange(before, change);
  if (!after) return [];
  const base = { taskId: after.taskId, boardId: after.boardId, title: after.title, actorId: change.actorId };
  const out: NewNotification[] = [];
  const tell = (userIds: readonly (string | null)[], kind: NotificationKind, message: string) => {
    for (const userId of unique(userIds)) if (userId !== change.actorId) out.push({ ...base, userId, kind, message });
  };
  // A task first seen through an update has no known earlier state: nothing to compare.
  if (change.kind === "updated" && !before) return [];
  const newAssignee =
    change.kind === "created" ? after.assigneeId : after.assigneeId !== before?.assigneeId ? after.assigneeId : null;
  if (newAssignee) tell([newAssignee], "assigned", `You were assigned to "${after.title}"`);
  if (change.kind === "updated" && before && after.status !== before.status && after.status !== null) {
    tell([after.creatorId, after.assigneeId], "status-changed", `"${after.title}" is now ${after.status}`);
  }
  if (change.kind === "commented") {
    tell([after.creatorId, after.assigneeId], "commented", `New comment on "${after.title}": ${change.excerpt}`);
  }
  return out;
}

/**
 * Reminders the scheduler owes at `now`: due within 24 hours, or overdue, for each open task
 * with a due date, to its assignee and creator. The dedupe key makes each one happen once per
 * task and due date however often the scheduler runs (moving the due date re-arms them).
 */
export function remindersFor(fact: TaskFact, now: Date): NewNotification[] {
  if (fact.closed || !fact.dueAt) return [];
  const left = fact.dueAt.getTime() - now.getTime();
  const kind: NotificationKind | undefined = left <= 0 ? "overdue" : left <= DUE_SOON_MS ? "due-soon" : undefined;
  if (!kind) return [];
  const message =
    kind === "overdue"
      ? `"${fact.title}" was due ${fact.dueAt.toISOString()}`
      : `"${fact.title}" is due ${fact.dueAt.toISOString()}`;
  return unique([fact.assigneeId, fact.creatorId]).map((userId) => ({
    userId,
    kind,
    taskId: fact.taskId,
    boardId: fact.boardId,
    title: fact.title,
    message,
    actorId: null,
    dedupeKey: `${kind}:${fact.taskId}:${fact.dueAt!.toISOString()}`,
  }));
}
