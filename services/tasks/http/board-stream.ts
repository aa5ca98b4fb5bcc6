import type { Express, Request, Response } from "express";
import type { IdentitySource } from "../../kernel/auth/caller.js";
import { ForbiddenError, UnauthorizedError } from "../../kernel/errors.js";
import { lastEventId, openEventStream, pumpEventStream } from "../../kernel/http/sse.js";
import { boardEventsAfter, latestPosition } from "../data-access/board-events.js";
import { type TasksContext, visibleBoard } from "../domain/context.js";

/**
 * `GET /api/v<n>/boards/:boardId/stream`: Server-Sent Events, one `change` event per event of
 * the board in the event log (task created, moved, edited, assigned, cancelled, commented;
 * cards added or changed), each with its log position as id. Only callers who may see the
 * board open it. A reconnecting client sends `Last-Event-ID` and gets what it missed first.
 * Commits in this instance wake the streams at once; the heartbeat also reads what other
 * instances committed.
 */

export interface BoardHub {
  listen(wake: () => void): () => void;
  /** Wakes every open board stream (each reads only its own board). */
  notify(): void;
}

export function createBoardHub(): BoardHub {
  const wakers = new Set<() => void>();
  return {
    listen(wake) {
      wakers.add(wake);
      return () => wakers.delete(wake);
    },
    notify() {
      for (const wake of wakers) wake();
    },
  };
}

const PATH = /^\/api\/v\d+\/boards\/([0-9a-f-]{36})\/stream$/;

export function mountBoardStream(
  app: Express,
  options: { ctx: TasksContext; hub: BoardHub; identity: IdentitySource; heartbeatMs?: number },
): void {
  const { ctx, hub } = options;
  const heartbeatMs = options.heartbeatMs ?? 1_000;

  app.get(PATH, (req, res, next) => {
    open(req, res).catch(next);
  });

  async function open(req: Request, res: Response) {
    const caller = await options.identity(req.headers);
    if (!caller) throw new UnauthorizedError();
    if (caller.scopes && !caller.scopes.includes("tasks:read")) {
      throw new ForbiddenError('this API key lacks the "tasks:read" scope');
    }
    const boardId = PATH.exec(req.path)![1]!;
    const board = await visibleBoard(ctx.db, caller, boardId);
    const viewer = { userId: caller.userId, owner: board.ownerId === caller.userId };
    const cursor = lastEventId(req.headers, req.query) ?? (await latestPosition(ctx.db));
    openEventStream(res);
    await pumpEventStream(res, cursor, {
      pageSize: 200,
      heartbeatMs,
      listen: (wake) => hub.listen(wake),
      read: async (after) =>
        (await boardEventsAfter(ctx.db, boardId, viewer, after, 200)).map((e) => ({
          id: e.position,
          event: "change",
          data: e,
        })),
    });
  }
}
