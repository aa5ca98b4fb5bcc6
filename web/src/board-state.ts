import type { Task } from "./api/types.ts";

/**
 * The board's tasks as one map, changed only through `place`, which does to positions what
 * the server does: the task leaves its card (those below it move up) and enters the target
 * at its position (those from there move down). Placing a task where it already is changes
 * nothing, so an optimistic move and the echo of that same move from the live stream agree.
 */

export type Tasks = ReadonlyMap<string, Task>;

export function place(tasks: Tasks, task: Task): Map<string, Task> {
  const next = new Map(tasks);
  const before = tasks.get(task.id);
  if (before) {
    for (const [id, t] of next) {
      if (id !== task.id && t.cardId === before.cardId && t.position > before.position) {
        next.set(id, { ...t, position: t.position - 1 });
      }
    }
  }
  for (const [id, t] of next) {
    if (id !== task.id && t.cardId === task.cardId && t.position >= task.position) {
      next.set(id, { ...t, position: t.position + 1 });
    }
  }
  next.set(task.id, task);
  return next;
}

export function remove(tasks: Tasks, id: string): Map<string, Task> {
  const next = new Map(tasks);
  const before = tasks.get(id);
  if (!before) return next;
  next.delete(id);
  for (const [other, t] of next) {
    if (t.cardId === before.cardId && t.position > before.position) next.set(other, { ...t, position: t.position - 1 });
  }
  return next;
}

/** A card's tasks in board order (cancelled ones included: the server counts them). */
export function inCard(tasks: Tasks, cardId: string): Task[] {
  return [...tasks.values()].filter((t) => t.cardId === cardId).sort((a, b) => a.position - b.position);
}

/**
 * The server position for a drop at `index` among the tasks shown in a card (a filtered view
 * may hide some): just after the shown task above the drop, else just before the one below.
 */
export function positionFor(all: readonly Task[], shown: readonly string[], index: number, moving: string): number {
  const others = all.filter((t) => t.id !== moving).map((t) => t.id);
  const list = shown.filter((id) => id !== moving);
  if (index > 0 && list[index - 1]) return others.indexOf(list[index - 1]!) + 1;
  if (list[index]) return Math.max(0, others.indexOf(list[index]!));
  return others.length;
}

export interface Filters {
  readonly search: string;
  readonly assignee: string;
  readonly priority: string;
  readonly tag: string;
  readonly due: "" | "overdue" | "week" | "none";
}

export const NO_FILTERS: Filters = { search: "", assignee: "", priority: "", tag: "", due: "" };

export function isOverdue(task: Pick<Task, "dueDate" | "status">, now = Date.now()): boolean {
  return task.dueDate !== null && task.status !== "done" && Date.parse(task.dueDate) < now;
}

export function matches(task: Task, f: Filters, now = Date.now()): boolean {
  if (task.status === "cancelled") return false;
  if (f.assignee === "none" ? task.assigneeId !== null : f.assignee && task.assigneeId !== f.assignee) return false;
  if (f.priority && task.priority !== f.priority) return false;
  if (f.tag && !task.tags.includes(f.tag)) return false;
  if (f.due === "none" && task.dueDate !== null) return false;
  if (f.due === "overdue" && !isOverdue(task, now)) return false;
  if (f.due === "week" && (task.dueDate === null || Date.parse(task.dueDate) > now + 7 * 86_400_000)) return false;
  if (f.search) {
    const needle = f.search.toLowerCase();
    const hay = `${task.title} ${task.description ?? ""} ${task.tags.join(" ")}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}
