import { z } from "zod";
import { commandId, isoDateTime, pageOf, pageQuery, uuid } from "../../kernel/http/schemas.js";
import { CARD_TYPES, LIMITS, PRIORITIES, TASK_STATUSES, type Task } from "../domain/model.js";

/** Request and response schemas of the tasks API; they validate requests and generate the OpenAPI document. */

const name = () =>
  z
    .string()
    .trim()
    .min(LIMITS.nameMin, `must be at least ${LIMITS.nameMin} characters`)
    .max(LIMITS.nameMax, `must be at most ${LIMITS.nameMax} characters`);
const title = () =>
  z
    .string()
    .trim()
    .min(LIMITS.titleMin, `must be at least ${LIMITS.titleMin} characters`)
    .max(LIMITS.titleMax, `must be at most ${LIMITS.titleMax} characters`);
const description = () =>
  z.string().trim().max(LIMITS.descriptionMax, `must be at most ${LIMITS.descriptionMax} characters`);
const userId = () => z.string().trim().min(1).max(200);
const position = () => z.number().int().min(0).max(LIMITS.tasksPerBoard);
const tags = () =>
  z
    .array(z.string().trim().min(1).max(LIMITS.tagMax))
    .max(LIMITS.tagsMax, `at most ${LIMITS.tagsMax} tags`)
    .refine((list) => new Set(list.map((t) => t.toLowerCase())).size === list.length, "tags must be unique");
const body = () =>
  z
    .string()
    .trim()
    .min(LIMITS.commentMin, "must not be empty")
    .max(LIMITS.commentMax, `must be at most ${LIMITS.commentMax} characters`);

export const boardIdParams = z.object({ boardId: uuid() });
export const cardIdParams = z.object({ cardId: uuid() });
export const taskIdParams = z.object({ taskId: uuid() });
export const commentIdParams = z.object({ commentId: uuid() });

export const createBoardBody = z.strictObject({ projectId: uuid(), name: name(), commandId });
export const renameBoardBody = z.strictObject({ name: name() });
export const listBoardsQuery = z.object({ projectId: uuid().optional(), ...pageQuery });

/** Most tasks a card may hold; null (or absent) for no limit. */
const wipLimit = () => z.number().int().min(1).max(LIMITS.tasksPerBoard).nullable();

export const createCardBody = z.strictObject({
  name: name(),
  type: z.enum(CARD_TYPES),
  wipLimit: wipLimit().optional(),
  position: z.number().int().min(0).max(LIMITS.cardsPerBoard).optional(),
  commandId,
});
export const updateCardBody = z
  .strictObject({
    name: name().optional(),
    type: z.enum(CARD_TYPES).optional(),
    position: z.number().int().min(0).max(LIMITS.cardsPerBoard).optional(),
    wipLimit: wipLimit().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "change at least one field");

export const createTaskBody = z.strictObject({
  cardId: uuid(),
  title: title(),
  description: description().nullable().optional(),
  priority: z.enum(PRIORITIES).optional(),
  assigneeId: userId().nullable().optional(),
  dueDate: isoDateTime().nullable().optional(),
  tags: tags().optional(),
  position: position().optional(),
  commandId,
});
export const updateTaskBody = z
  .strictObject({
    title: title().optional(),
    description: description().nullable().optional(),
    priority: z.enum(PRIORITIES).optional(),
    dueDate: isoDateTime().nullable().optional(),
    tags: tags().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "change at least one field");
export const moveTaskBody = z.strictObject({ cardId: uuid(), position: position().optional(), commandId });
export const assignTaskBody = z.strictObject({ assigneeId: userId().nullable(), commandId });
export const cancelTaskBody = z.strictObject({ commandId }).optional();
export const listTasksQuery = z.object({
  boardId: uuid().optional(),
  cardId: uuid().optional(),
  assigneeId: userId().optional(),
  status: z.enum(TASK_STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  dueBefore: isoDateTime().optional(),
  /** Tasks carrying this tag (case as stored). */
  tag: z.string().trim().min(1).max(LIMITS.tagMax).optional(),
  /** Tasks whose title contains this text, ignoring case. */
  q: z.string().trim().min(1).max(LIMITS.titleMax).optional(),
  ...pageQuery,
});
export const pageOnlyQuery = z.object(pageQuery);

export const commentBody = z.strictObject({ body: body(), commandId });
export const editCommentBody = z.strictObject({ body: body() });

export const boardSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  ownerId: z.string(),
  name: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const cardSchema = z.object({
  id: z.uuid(),
  boardId: z.uuid(),
  name: z.string(),
  type: z.enum(CARD_TYPES),
  position: z.number().int(),
  wipLimit: z.number().int().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** v1: a flat task. */
export const taskV1Schema = z.object({
  id: z.uuid(),
  boardId: z.uuid(),
  cardId: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  priority: z.enum(PRIORITIES),
  status: z.enum(TASK_STATUSES),
  assigneeId: z.string().nullable(),
  dueDate: z.string().nullable(),
  tags: z.array(z.string()),
  position: z.number().int(),
  completedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  createdBy: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/**
 * v2: workflow fields grouped under `state`, the assignee as an object (room for a display
 * name), every timestamp under `dates`, and `dueDate` renamed `dates.dueAt`.
 */
export const taskV2Schema = z.object({
  id: z.uuid(),
  boardId: z.uuid(),
  cardId: z.uuid(),
  title: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  state: z.object({ status: z.enum(TASK_STATUSES), priority: z.enum(PRIORITIES), position: z.number().int() }),
  assignee: z.object({ userId: z.string() }).nullable(),
  dates: z.object({
    createdAt: z.string(),
    updatedAt: z.string(),
    dueAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
  }),
  createdBy: z.string(),
  version: z.number().int(),
});

export const taskByVersion = { 1: taskV1Schema, 2: taskV2Schema } as const;
export const taskPageByVersion = { 1: pageOf(taskV1Schema), 2: pageOf(taskV2Schema) } as const;

export function toTaskV1(task: Task): z.infer<typeof taskV1Schema> {
  return { ...task, tags: [...task.tags] };
}

export function toTaskV2(task: Task): z.infer<typeof taskV2Schema> {
  return {
    id: task.id,
    boardId: task.boardId,
    cardId: task.cardId,
    title: task.title,
    description: task.description,
    tags: [...task.tags],
    state: { status: task.status, priority: task.priority, position: task.position },
    assignee: task.assigneeId ? { userId: task.assigneeId } : null,
    dates: {
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
      dueAt: task.dueDate,
      completedAt: task.completedAt,
      cancelledAt: task.cancelledAt,
    },
    createdBy: task.createdBy,
    version: task.version,
  };
}

export const commentSchema = z.object({
  id: z.uuid(),
  taskId: z.uuid(),
  authorId: z.string(),
  body: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const activitySchema = z.object({
  eventId: z.uuid(),
  taskId: z.uuid(),
  boardId: z.uuid(),
  actorId: z.string(),
  type: z.string(),
  summary: z.string(),
  occurredAt: z.string(),
});
