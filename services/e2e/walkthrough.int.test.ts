import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalMode, startLocalMode } from "./local-process.js";
import { runWalkthrough } from "./walkthrough.js";

/**
 * The README walkthrough (services/e2e/walkthrough.ts, the scenario the deploy rehearsal and
 * `npm run smoke` run too) through the gateway of a real local mode (`services/local.ts` in
 * its own process).
 */

let local: LocalMode;
beforeAll(async () => {
  local = await startLocalMode();
}, 90_000);
afterAll(async () => {
  const stopped = await local?.stop();
  // Ctrl-C must stop cleanly, after publishing what the outboxes held.
  expect(stopped?.code).toBe(0);
  expect(stopped?.output).toContain("stopped");
});

describe("walkthrough through the gateway of local mode", () => {
  it("runs from registration to a live 'assigned to you' notification and a revoked API key", async () => {
    const result = await runWalkthrough(local.base);
    expect(result.steps).toEqual([
      "register and log in",
      "organization and project",
      "board and cards",
      "task assigned to Bob, seen on Bob's live stream",
      "move with If-Match, comment, activities",
      "notifications and composed views",
      "API key, then its revocation",
    ]);
  }, 60_000);
});
