import { describe, expect, it } from "vitest";
import { DEFAULT_IN_FLIGHT_WAIT_MS } from "../../kernel/http/idempotency.js";
import { UPSTREAM_TIMEOUT_MS } from "../../kernel/resilience.js";
import { DEFAULT_PROJECT_WAIT } from "./projects.js";

describe("waits inside a service", () => {
  // A wait as long as the gateway's timeout turns one caller's 404 or 409 into a timeout that
  // counts against the circuit breaker every caller shares.
  it("end well before the gateway's per-attempt timeout", () => {
    expect(DEFAULT_PROJECT_WAIT.timeoutMs).toBeLessThanOrEqual(UPSTREAM_TIMEOUT_MS / 2);
    expect(DEFAULT_IN_FLIGHT_WAIT_MS).toBeLessThanOrEqual(UPSTREAM_TIMEOUT_MS / 4);
  });
});
