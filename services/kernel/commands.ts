import { AsyncLocalStorage } from "node:async_hooks";
import { type Database, PG_UNIQUE_VIOLATION, type Queryable, sqlState, violatedConstraint } from "./db/database.js";
import { AppError, ConflictError, PreconditionFailedError } from "./errors.js";
import { requestHash } from "./fingerprint.js";

/**
 * Idempotent commands: a command carries an id chosen by its sender; the first run records
 * its result in the same transaction as its effect, and any later run with the same id
 * returns that result without acting again.
 */
export async function runCommandOnce<R>(
  tx: Queryable,
  command: { readonly id: string | undefined; readonly name: string; readonly actor: string; readonly input?: unknown },
  run: () => Promise<R>,
): Promise<R> {
  if (!command.id) return run();
  const hash = "input" in command ? requestHash(command.input) : null;
  return recordOnce(tx, `${command.actor}:${command.id}`, command, run, hash);
}

async function recordOnce<R>(
  tx: Queryable,
  scopedId: string,
  command: { readonly name: string; readonly actor: string },
  run: () => Promise<R>,
  hash: string | null = null,
): Promise<R> {
  const previous = await tx.query<{ result: R; name: string; request_hash: string | null }>(
    "SELECT name, result, request_hash FROM commands WHERE command_id = $1",
    [scopedId],
  );
  if (previous[0]) {
    if (previous[0].name !== command.name) {
      throw new ConflictError(`this command id was already used for ${previous[0].name}`);
    }
    if (hash !== null && previous[0].request_hash !== null && previous[0].request_hash !== hash) {
      throw new AppError(422, "command-id-reused", "this commandId was used with a different request", {
        fields: [{ field: "body.commandId", message: "already used with a different request" }],
      });
    }
    return previous[0].result;
  }
  const result = await run();
  await tx.query("INSERT INTO commands (command_id, name, actor, result, request_hash) VALUES ($1, $2, $3, $4, $5)", [
    scopedId,
    command.name,
    command.actor,
    JSON.stringify(result ?? null),
    hash,
  ]);
  return result;
}

/**
 * The request being served under an `Idempotency-Key` (`http/idempotency.ts`): its first
 * command records its result under the key's command id in the command's own transaction, so
 * that the effect and the proof of it commit together. A retry after a crash between that
 * commit and the stored response finds the record and replays the result instead of acting
 * again (or, for a natural key, answering 409).
 */
const idempotentRequest = new AsyncLocalStorage<{ readonly commandId: string; used: boolean }>();

/** Runs `serve` with its first command recorded under `commandId` (already scoped to the caller). */
export function withRequestCommand<T>(commandId: string, serve: () => Promise<T>): Promise<T> {
  return idempotentRequest.run({ commandId, used: false }, serve);
}

/** Whether a command recorded under this id committed. */
export async function commandCommitted(db: Queryable, commandId: string): Promise<boolean> {
  return (await db.query("SELECT 1 FROM commands WHERE command_id = $1", [commandId])).length > 0;
}

/** What a unique-constraint violation means to a caller: the field to name and why. */
export type UniqueFields = Readonly<Record<string, { readonly field: string; readonly message: string }>>;

/**
 * Runs one command in one transaction: once per command id (when the sender gave one), with a
 * violated unique constraint listed in `uniqueFields` turned into a 409 that names the field
 * (natural keys). Other errors pass through unchanged.
 */
export async function executeCommand<R>(
  db: Database,
  command: {
    readonly name: string;
    readonly actor: string;
    readonly commandId?: string | undefined;
    /** What a reuse of `commandId` must repeat (target ids and body); another one is a 422. */
    readonly input?: unknown;
    readonly uniqueFields?: UniqueFields;
  },
  work: (tx: Queryable) => Promise<R>,
): Promise<R> {
  const request = idempotentRequest.getStore();
  const requestCommandId = request && !request.used ? request.commandId : undefined;
  if (request) request.used = true;
  const once = (tx: Queryable) =>
    runCommandOnce(
      tx,
      {
        id: command.commandId,
        name: command.name,
        actor: command.actor,
        ...("input" in command ? { input: command.input } : {}),
      },
      () => work(tx),
    );
  try {
    return await db.transaction((tx) =>
      requestCommandId === undefined ? once(tx) : recordOnce(tx, requestCommandId, command, () => once(tx)),
    );
  } catch (error) {
    const known =
      sqlState(error) === PG_UNIQUE_VIOLATION ? command.uniqueFields?.[violatedConstraint(error) ?? ""] : undefined;
    if (known) throw new ConflictError(known.message, { fields: [known], cause: error });
    throw error;
  }
}

/** Optimistic locking: `If-Match` (undefined when absent) against the current version. */
export function checkVersion(what: string, id: string, current: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new PreconditionFailedError(`${what} "${id}" is at version ${current}, not ${ifMatch}; reload it and retry`);
  }
}
