import type { Express, Request, Response } from "express";
import type { IdentitySource } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { ForbiddenError, UnauthorizedError } from "../../kernel/errors.js";
import { latestId, notificationsAfter } from "../data-access/notification-store.js";
import { type NotificationHub, sseFrame } from "../domain/sse-hub.js";

/**
 * `GET /api/v<n>/notifications/stream`: Server-Sent Events, one `notification` event per new
 * notification, each with its id. A client that reconnects sends `Last-Event-ID` (browsers do
 * this by themselves) and receives what it missed before anything new; a first connection
 * starts from now. A comment line every `heartbeatMs` keeps proxies from closing the idle
 * connection and doubles as a catch-up read for notifications stored by other instances.
 */
export function mountNotificationStream(
  app: Express,
  options: { db: Database; hub: NotificationHub; identity: IdentitySource; heartbeatMs?: number },
): void {
  const { db, hub } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  app.get(/^\/api\/v\d+\/notifications\/stream$/, (req, res, next) => {
    open(req, res).catch(next);
  });

  async function open(req: Request, res: Response) {
    const caller = await options.identity(req.headers);
    if (!caller) throw new UnauthorizedError();
    if (caller.scopes && !caller.scopes.includes("notifications:read")) {
      throw new ForbiddenError('this API key lacks the "notifications:read" scope');
    }
    const asked = req.headers["last-event-id"] ?? req.query.lastEventId;
    let cursor = typeof asked === "string" && /^\d{1,18}$/.test(asked) ? asked : await latestId(db, caller.userId);

    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(`retry: 2000\n: connected\n\n`);

    let closed = false;
    let pumping: Promise<void> | undefined;
    let again = false;
    const pump = (): Promise<void> => {
      if (pumping) {
        again = true;
        return pumping;
      }
      pumping = (async () => {
        do {
          again = false;
          const fresh = await notificationsAfter(db, caller.userId, cursor);
          for (const notification of fresh) {
            if (closed) return;
            res.write(sseFrame({ id: notification.id, event: "notification", data: notification }));
            cursor = notification.id;
          }
          if (fresh.length === 100) again = true;
        } while (again && !closed);
      })().finally(() => {
        pumping = undefined;
      });
      return pumping;
    };

    const stopListening = hub.listen(caller.userId, () => {
      pump().catch(() => {});
    });
    const heartbeat = setInterval(() => {
      res.write(": keep-alive\n\n");
      pump().catch(() => {});
    }, heartbeatMs);
    res.on("close", () => {
      closed = true;
      clearInterval(heartbeat);
      stopListening();
    });
    await pump();
  }
}
