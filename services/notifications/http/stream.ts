import type { Express, Request, Response } from "express";
import type { IdentitySource } from "../../kernel/auth/caller.js";
import type { Database } from "../../kernel/db/database.js";
import { ForbiddenError, UnauthorizedError } from "../../kernel/errors.js";
import { lastEventId, openEventStream, pumpEventStream } from "../../kernel/http/sse.js";
import { latestId, notificationsAfter } from "../data-access/notification-store.js";
import type { NotificationHub } from "../domain/sse-hub.js";

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
    const cursor = lastEventId(req.headers, req.query) ?? (await latestId(db, caller.userId));

    openEventStream(res);

    await pumpEventStream(res, cursor, {
      pageSize: 100,
      heartbeatMs,
      listen: (wake) => hub.listen(caller.userId, wake),
      read: async (after) =>
        (await notificationsAfter(db, caller.userId, after)).map((n) => ({ id: n.id, event: "notification", data: n })),
    });
  }
}
