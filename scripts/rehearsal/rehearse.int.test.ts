import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rehearsal, type RehearsalReport } from "./rehearse.js";
import { type StagedImage, stageImage } from "./stage.js";
import { REHEARSABLE } from "./targets.js";

/**
 * The deploy rehearsal of every target that has one (scripts/rehearsal/targets.ts), on one
 * staged image: each target's services start from its stack's graph with local stand-ins for
 * the managed endpoints, pass the walkthrough and `npm run smoke`, and leave one trace from the
 * gateway through the broker to the notifications consumer.
 */
let image: StagedImage;
beforeAll(async () => {
  image = await stageImage();
}, 240_000);
afterAll(() => image?.remove());

describe.each(REHEARSABLE.map((t) => [t]))("deploy rehearsal: %s", (target) => {
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
    expect(report.trace.names).toContain("consume notifications-task-events");
  });

  it("stops every service cleanly: each drains its outbox on SIGTERM and exits 0", () => {
    expect(Object.values(report.exitCodes)).toEqual([0, 0, 0, 0, 0]);
  });
});
