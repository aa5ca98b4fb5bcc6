import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../adapters/core/errors.js";
import { startTasksService, TASKS_MIGRATIONS } from "../tasks/service.js";
import { projectCreated } from "../tasks/testing.js";
import type { Database } from "./db/database.js";
import { openTestDatabase } from "./db/testing.js";
import { openRuntime, type ServiceRuntime } from "./runtime.js";

describe("service runtime", () => {
  let db: Database;
  let runtime: ServiceRuntime;
  let service: { port: number; close(): Promise<void> };

  beforeAll(async () => {
    db = await openTestDatabase("pglite", [TASKS_MIGRATIONS]);
    runtime = await openRuntime(
      "tasks",
      { CLOUD_PROVIDER: "local", LOG_LEVEL: "silent", DEV_IDENTITY: "on" },
      { migrations: [TASKS_MIGRATIONS], db },
    );
    service = await startTasksService(runtime, 0);
  });
  afterAll(async () => {
    await service?.close();
    await runtime?.close();
    await runtime?.close();
    await db?.close();
  });

  it("reports every configuration problem at once, naming each setting", async () => {
    const attempt = openRuntime(
      "tasks",
      { CLOUD_PROVIDER: "aws", DEV_IDENTITY: "on" },
      { migrations: [TASKS_MIGRATIONS] },
    );
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    for (const name of [
      "PORT",
      "DATABASE_URL",
      "CACHE_URL",
      "AWS_REGION",
      "JWT_JWKS_URL",
      "DEV_IDENTITY",
      "BROKER_TOPICS",
    ])
      expect(problems).toContain(name);
  });

  it("opens a service declared without a cache on a cloud, where the stack gives it no CACHE_URL", async () => {
    const notifications = await openRuntime(
      "notifications",
      {
        CLOUD_PROVIDER: "aws",
        PORT: "7004",
        AWS_REGION: "eu-west-1",
        // Not opened: the test hands the runtime its database.
        DATABASE_URL: "postgres://taskflow:unused@db.internal:5432/taskflow",
        LOG_LEVEL: "silent",
        JWT_JWKS_URL: "http://identity.internal:7003/.well-known/jwks.json",
        BROKER_SUBSCRIPTIONS: JSON.stringify({
          "notifications-task-events": "https://sqs.eu-west-1.amazonaws.com/123456789012/notifications.fifo",
        }),
      },
      { migrations: [], db, broker: runtime.broker },
    );
    try {
      expect(await notifications.cache.ping()).toBe(true);
      // The adapter maps declared names with the same BROKER_SUBSCRIPTIONS; it must get the declared one.
      expect(notifications.subscriptionName("notifications-task-events")).toBe("notifications-task-events");
    } finally {
      await notifications.close();
    }
  });

  it("serves the tasks API in local mode: ready, dev identity, events through the outbox to the activity feed", async () => {
    const base = `http://127.0.0.1:${service.port}`;
    const ready = await fetch(`${base}/health/ready`);
    expect(await ready.json()).toEqual({ status: "ok", checks: { database: "ok", broker: "ok", cache: "ok" } });
    const headers = { "x-dev-user": "local-user", "content-type": "application/json" };
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body) })).json()) as {
        id: string;
      };
    // The users service announces the project on user-events; the tasks service's consumer learns of it.
    const project = projectCreated("local-user", "6a4b2f4e-8d1c-4c3a-9a57-1f0a9b0c2d3e");
    await runtime.broker.publish("user-events", { id: project.id, key: project.key!, body: project.body });
    const board = await post("/api/v1/boards", {
      projectId: "6a4b2f4e-8d1c-4c3a-9a57-1f0a9b0c2d3e",
      name: "Local board",
    });
    const card = await post(`/api/v1/boards/${board.id}/cards`, { name: "Backlog", type: "backlog" });
    const task = await post(`/api/v1/boards/${board.id}/tasks`, { cardId: card.id, title: "Try local mode" });
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${base}/api/v1/tasks/${task.id}/activities`, { headers })).json()) as { total: number })
            .total,
        { timeout: 5_000 },
      )
      .toBe(1);
    expect(await runtime.relay.pending()).toBe(0);
  });
});
