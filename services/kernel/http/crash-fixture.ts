import { z } from "zod";
import type { IdentitySource } from "../auth/caller.js";
import { executeCommand } from "../commands.js";
import { createPgDatabase } from "../db/pg-database.js";
import { createLogger } from "../observability/logger.js";
import { listen } from "../runtime.js";
import { createHttpApp } from "./app.js";
import { route } from "./route.js";

/**
 * A service process for the idempotency crash test (`idempotency.int.test.ts`): one route,
 * `POST /api/v1/comments`, which writes a comment (no natural key, so a second run would be a
 * duplicate) through `executeCommand`. Header `x-crash: after-commit` kills the process with
 * SIGKILL right after the command's transaction committed and before the response is stored;
 * `x-crash: before-commit` kills it inside the transaction. Prints its port on stdout.
 */
const identity: IdentitySource = async (headers) =>
  typeof headers["x-test-user"] === "string"
    ? { userId: headers["x-test-user"], roles: ["user"], via: "dev-header" }
    : undefined;

const db = createPgDatabase(process.env.DATABASE_URL!, { max: 2 });
const crash = () => process.kill(process.pid, "SIGKILL");

const { app } = createHttpApp({
  service: "crash-fixture",
  log: createLogger({ service: "crash-fixture", level: "silent" }),
  identity,
  db,
  idempotency: { staleAfterMs: Number(process.env.STALE_AFTER_MS ?? 60_000) },
  routes: [
    route({
      method: "post",
      path: "/comments",
      summary: "Add a comment",
      tag: "comments",
      body: z.strictObject({ body: z.string().min(1).max(100) }),
      idempotencyKey: true,
      responses: { 201: { description: "added" } },
      handler: async ({ body, caller, headers }) => {
        const comment = await executeCommand(db, { name: "add-comment", actor: caller.userId }, async (tx) => {
          const [row] = await tx.query<{ id: number }>("INSERT INTO comments (body) VALUES ($1) RETURNING id", [
            body.body,
          ]);
          if (headers["x-crash"] === "before-commit") crash();
          return row!;
        });
        if (headers["x-crash"] === "after-commit") crash();
        return { status: 201, body: { id: comment.id, body: body.body } };
      },
    }),
  ],
});
const server = await listen(app, 0);
process.stdout.write(`listening ${server.port}\n`);
