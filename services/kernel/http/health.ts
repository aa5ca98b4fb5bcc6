import type { Router } from "express";

/**
 * Liveness says the process runs; readiness says it can serve: each dependency answers its
 * `ping` within a bounded time. A non-critical dependency (a cache in degrade mode, which the
 * service can work without) is reported but does not fail readiness.
 */
export interface ReadinessCheck {
  readonly name: string;
  readonly ping: () => Promise<boolean>;
  /** @default true */
  readonly critical?: boolean;
}

async function probe(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check.ping().catch(() => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export function mountHealth(router: Router, checks: readonly ReadinessCheck[], timeoutMs = 1_000): void {
  router.get("/health/live", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/health/ready", async (_req, res) => {
    const results = await Promise.all(checks.map(async (check) => [check, await probe(check, timeoutMs)] as const));
    const ready = results.every(([check, ok]) => ok || check.critical === false);
    res.status(ready ? 200 : 503).json({
      status: ready ? "ok" : "unavailable",
      checks: Object.fromEntries(
        results.map(([check, ok]) => [check.name, ok ? "ok" : check.critical === false ? "degraded" : "down"]),
      ),
    });
  });
}
