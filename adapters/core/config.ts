import { z } from "zod";
import { ConfigError } from "./errors.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** An optional on/off setting: "true"/"1" or "false"/"0"; `undefined` when unset, so callers pick the default. */
export const envFlag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((value) => (value === undefined ? undefined : value === "true" || value === "1"));

/**
 * A JSON object of logical name → physical name, as the stacks inject it; `example` is the
 * physical name the error message shows (an ARN, an exchange name).
 */
export function nameMapSetting(example: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === "") return {} as Record<string, string>;
      try {
        return z.record(z.string(), z.string()).parse(JSON.parse(text));
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `must be a JSON object of strings, e.g. {"task-events":"${example}"}`,
        });
        return z.NEVER;
      }
    });
}

/** The logical → physical name maps every broker adapter reads (the stacks inject them). */
export const brokerNameMaps = z.object({
  BROKER_TOPICS: nameMapSetting("arn:..."),
  BROKER_SUBSCRIPTIONS: nameMapSetting("arn:..."),
});

/**
 * Parses `env` with `schema` and reports every problem at once, each naming the variable,
 * what is wrong and how to fix it. Adapter and service config modules all go through this.
 */
export function readConfig<S extends z.ZodType>(schema: S, env: Env, hints: Record<string, string> = {}): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join(".") || "(environment)";
    const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    const shown = value === undefined ? "unset" : `"${isSecretName(name) ? "***" : abbreviate(value)}"`;
    const hint = hints[name];
    return `${name} (${shown}): ${issue.message}${hint ? `; ${hint}` : ""}`;
  });
  throw new ConfigError(problems);
}

/** A value as one short line, so a certificate or a JSON map does not flood the message. */
function abbreviate(value: string): string {
  const line = value.replace(/\s*\n\s*/g, " ");
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** Names whose values must never appear in an error message. */
export function isSecretName(name: string): boolean {
  return /PASSWORD|SECRET|TOKEN|CONNECTION_STRING|_URL$|KEY$/i.test(name);
}
