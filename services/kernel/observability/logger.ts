import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";
import { currentTraceId } from "./tracing.js";

/**
 * Structured JSON logs. Every line written while a request or message is handled carries its
 * request id and trace id. Credentials never reach a log line: the paths below are redacted.
 */

const requestIds = new AsyncLocalStorage<string>();

/** Runs `work` with `requestId` attached to every log line it writes. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return requestIds.run(requestId, work);
}

export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}

export const REDACTED_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "secret",
  "*.secret",
  "apiKey",
  "*.apiKey",
  "headers.authorization",
  "headers.cookie",
  'headers["x-api-key"]',
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
];

export function createLogger(options: {
  service: string;
  level?: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const requestId = requestIds.getStore();
        const traceId = currentTraceId();
        return { ...(requestId ? { requestId } : {}), ...(traceId ? { traceId } : {}) };
      },
    },
    options.destination,
  );
}

export type { Logger };
