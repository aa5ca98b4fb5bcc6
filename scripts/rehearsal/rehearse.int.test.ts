import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateNodeAvailable } from "../../adapters/rabbitmq/private-node.js";
import { redisServerGate } from "../../adapters/redis/test-server.js";
import { gatedTitle } from "../../adapters/testing/servers.js";
import { postgresServerGate } from "../../services/kernel/db/private-postgres.js";
import { findPubSubLauncher } from "../emulators.js";
import { Rehearsal, type RehearsalReport } from "./rehearse.js";
import { type StagedImage, stageImage } from "./stage.js";
import { REHEARSABLE } from "./targets.js";

/**
 * The deploy rehearsal of every target that has one (scripts/rehearsal/targets.ts), on one
 * staged image: each target's services start from its stack's graph with local stand-ins for
 * the managed endpoints, pass the walkthrough and `npm run smoke`, and leave one trace from the
 * gateway through the broker to the notifications consumer.
 */
/** Why a target cannot be rehearsed on this machine (a developer's run skips it; CI fails). */
function missingServers(target: string): string | undefined {
  const reason =
    postgresServerGate() ??
    redisServerGate() ??
    (target === "gcp" && !findPubSubLauncher()
      ? "the Pub/Sub emulator is not installed (Debian package google-cloud-cli-pubsub-emulator)"
      : undefined) ??
    (target === "azure" && !privateNodeAvailable()
      ? "rabbitmq-server is not installed (Debian package rabbitmq-server), which carries Azure's messages in place of Service Bus"
      : undefined);
  if (reason && process.env.CI === "true") throw new Error(`[taskflow] [tests] ${reason}`);
  return reason;
}

let image: StagedImage;
beforeAll(async () => {
  image = await stageImage();
}, 240_000);
afterAll(() => image?.remove());

describe.each(REHEARSABLE.map((t) => [t, missingServers(t)] as const))("deploy rehearsal: %s", (target, skip) => {
  if (skip) {
    it.skip(gatedTitle("rehearse", skip), () => {});
    return;
  }
  let report: RehearsalReport;
  const lines: string[] = [];
  beforeAll(async () => {
    const rehearsal = new Rehearsal();
    try {
      report = await rehearsal.run(target, { image, log: (line) => lines.push(line) });
    } finally {
      await rehearsal.stop();
    }
  }, 180_000);

  it("prints what it swaps before it starts anything: only where connections go", () => {
    const swaps = lines.indexOf(
      `rehearse ${target}: swaps (only where connections go; every other value is the graph's):`,
    );
    const firstReady = lines.findIndex((l) => l.includes(" ready on "));
    expect(swaps).toBeGreaterThan(-1);
    expect(swaps).toBeLessThan(firstReady);
    expect(report.swaps.map((s) => s.what)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PostgreSQL/),
        expect.stringMatching(/^Redis/),
        "OTLP/HTTP collector",
      ]),
    );
  });

  it("trusts the throw-away CA the way the target's services trust their peers' CAs", () => {
    const swapped = report.swaps.map((s) => s.what);
    if (target !== "kubernetes") {
      expect(swapped).toContain("trusted roots");
      return;
    }
    // In a cluster every peer is checked against the CA the stack hands over, never public roots.
    expect(swapped).not.toContain("trusted roots");
    expect(swapped).toEqual(expect.arrayContaining(["broker (TLS)", "tasks RABBITMQ_TLS_CA"]));
    expect(report.broker).toMatch(/AMQPS only.* 5 users with their generated passwords/);
  });

  it("has every service ready within 30 s of its start", () => {
    expect(Object.keys(report.readyMs).sort()).toEqual(["gateway", "identity", "notifications", "tasks", "users"]);
    for (const ms of Object.values(report.readyMs)) expect(ms).toBeLessThan(30_000);
  });

  it("passes the README walkthrough and npm run smoke through the gateway", () => {
    expect(report.walkthrough).toHaveLength(7);
    expect(report.smoke).toMatch(/^smoke: passed against/);
  });

  it("follows one trace from the gateway through tasks and the broker to the notifications consumer", () => {
    expect(report.trace.services).toEqual(expect.arrayContaining(["gateway", "tasks", "notifications"]));
    expect(report.trace.edges).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^gateway: .* → tasks: POST \/api\/v1\/boards\/:boardId\/tasks$/),
        "tasks: publish task-events → notifications: consume notifications-task-events",
      ]),
    );
  });

  it("stops every service cleanly: each drains its outbox on SIGTERM and exits 0", () => {
    expect(Object.values(report.exitCodes)).toEqual([0, 0, 0, 0, 0]);
  });
});
