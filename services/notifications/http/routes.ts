import { z } from "zod";
import type { Database } from "../../kernel/db/database.js";
import { NotFoundError } from "../../kernel/errors.js";
import { type AnyRoute, route } from "../../kernel/http/route.js";
import { pageOf, pageQuery } from "../../kernel/http/schemas.js";
import { listNotifications, markAllRead, markRead, unreadCount } from "../data-access/notification-store.js";

/** The notifications API: a user's own notifications only. The live stream is in `stream.ts`. */

export const notificationSchema = z.object({
  id: z.string(),
  userId: z.string(),
  kind: z.enum(["assigned", "status-changed", "commented", "due-soon", "overdue"]),
  taskId: z.string(),
  boardId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  actorId: z.string().nullable(),
  createdAt: z.string(),
  read: z.boolean(),
});

export function notificationRoutes(db: Database): AnyRoute[] {
  return [
    route({
      method: "get",
      path: "/notifications",
      summary: "Your notifications, newest first, with the unread count",
      tag: "notifications",
      scope: "notifications:read",
      query: z.object({ ...pageQuery, unread: z.stringbool().default(false) }),
      responses: {
        200: {
          description: "A page of notifications",
          schema: pageOf(notificationSchema).extend({ unread: z.number().int() }),
        },
      },
      handler: async ({ caller, query }) => {
        const { items, total } = await listNotifications(db, caller.userId, {
          page: query.page,
          pageSize: query.pageSize,
          unreadOnly: query.unread,
        });
        const unread = await unreadCount(db, caller.userId);
        return { status: 200, body: { items, page: query.page, pageSize: query.pageSize, total, unread } };
      },
    }),
    route({
      method: "post",
      path: "/notifications/read-all",
      summary: "Mark all your notifications read",
      tag: "notifications",
      scope: "notifications:write",
      responses: { 200: { description: "How many were unread", schema: z.object({ marked: z.number().int() }) } },
      handler: async ({ caller }) => ({ status: 200, body: { marked: await markAllRead(db, caller.userId) } }),
    }),
    route({
      method: "post",
      path: "/notifications/:id/read",
      summary: "Mark one notification read",
      tag: "notifications",
      scope: "notifications:write",
      params: z.object({ id: z.string().regex(/^\d{1,18}$/, "must be a notification id") }),
      responses: { 200: { description: "The notification, now read", schema: notificationSchema } },
      handler: async ({ caller, params }) => {
        const notification = await markRead(db, caller.userId, params.id);
        if (!notification) throw new NotFoundError("notification", params.id);
        return { status: 200, body: notification };
      },
    }),
  ];
}
