import type { Queryable } from "./db/database.js";
import { ConflictError } from "./errors.js";

/**
 * Idempotent commands: a command carries an id chosen by its sender; the first run records
 * its result in the same transaction as its effect, and any later run with the same id
 * returns that result without acting again.
 */
export async function runCommandOnce<R>(
  tx: Queryable,
  command: { readonly id: string | undefined; readonly name: string; readonly actor: string },
  run: () => Promise<R>,
): Promise<R> {
  if (!command.id) return run();
  const scopedId = `${command.actor}:${command.id}`;
  const previous = await tx.query<{ result: R; name: string }>(
    "SELECT name, result FROM commands WHERE command_id = $1",
    [scopedId],
  );
  if (previous[0]) {
    if (previous[0].name === command.name) return previous[0].result;
    throw new ConflictError(`command id "${command.id}" was already used for ${previous[0].name}`);
  }
  const result = await run();
  await tx.query("INSERT INTO commands (command_id, name, actor, result) VALUES ($1, $2, $3, $4)", [
    scopedId,
    command.name,
    command.actor,
    JSON.stringify(result ?? null),
  ]);
  return result;
}
