import { context } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db/database.js";
import { openTestDatabase } from "../db/testing.js";
import { enqueueOutbox } from "../messaging/outbox.js";
import { currentTraceId, extractContext, initTracing, withMessageSpan, withPublishSpan } from "./tracing.js";

initTracing({ serviceName: "tracing-test" });
const traceId = "0af7651916cd43dd8448eb211c80319c";
const traceparent = `00-${traceId}-b7ad6b7169203331-01`;

describe("trace context across broker messages", () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase("pglite", []);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a message written while handling a request carries the request's trace in its headers", async () => {
    await context.with(extractContext({ traceparent }), () =>
      db.transaction((tx) => enqueueOutbox(tx, { id: "00000000-0000-4000-8000-000000000001", topic: "t", body: {} })),
    );
    const [row] = await db.query<{ headers: Record<string, string> }>("SELECT headers FROM outbox");
    expect(row!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it("a consumer continues the trace of the message it handles", async () => {
    const seen = await withMessageSpan("consume test", { traceparent }, async () => currentTraceId());
    expect(seen).toBe(traceId);
    const fresh = await withMessageSpan("consume test", {}, async () => currentTraceId());
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(traceId);
  });

  it("publishing from the outbox is a span of the message's trace, and the message names it as parent", async () => {
    const sent = await withPublishSpan("publish t", { traceparent, "x-correlation-id": "c1" }, async (h) => h);
    expect(sent["x-correlation-id"]).toBe("c1");
    expect(sent.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(sent.traceparent).not.toBe(traceparent);
    const untraced = await withPublishSpan("publish t", { "x-correlation-id": "c2" }, async (h) => h);
    expect(untraced).toEqual({ "x-correlation-id": "c2" });
  });
});
