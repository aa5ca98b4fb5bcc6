import { expect, it } from "vitest";
import { startLocalMode } from "./local-process.js";

// Ctrl-C as soon as the gateway answers, while the other services may still be opening their
// databases: local mode must wait for them and stop each cleanly, not die on the signal.
it("a Ctrl-C during start-up stops every service cleanly", async () => {
  const local = await startLocalMode({ waitFor: ["gateway"], readyTimeoutMs: 120_000 });
  const stopped = await local.stop();
  expect(stopped.output).toContain("stopped");
  expect(stopped.code).toBe(0);
});
