import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * The stand-in for the stack's OTLP/HTTP collector: it takes what the services' exporter
 * (@opentelemetry/exporter-trace-otlp-http, JSON encoding) posts to /v1/traces and keeps each
 * span with the service that sent it. Anything it cannot read is answered 415 or 400 and kept
 * as a problem, so a change of encoding fails the rehearsal instead of losing the trace.
 */
export interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
}

export interface OtlpReceiver {
  readonly port: number;
  readonly spans: readonly ReceivedSpan[];
  readonly problems: readonly string[];
  close(): Promise<void>;
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value?: { stringValue?: string } }[] };
    scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
  }[];
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const problems: string[] = [];
  const server = createServer(async (req, res) => {
    const type = String(req.headers["content-type"] ?? "");
    if (req.method !== "POST" || req.url !== "/v1/traces") {
      res.writeHead(404).end();
      return;
    }
    if (!type.startsWith("application/json")) {
      problems.push(`an exporter sent ${type || "no content type"}; the receiver reads OTLP/HTTP JSON`);
      res.writeHead(415).end();
      return;
    }
    try {
      const request = JSON.parse((await body(req)).toString("utf8")) as ExportRequest;
      for (const resource of request.resourceSpans ?? []) {
        const service =
          resource.resource?.attributes?.find((a) => a.key === "service.name")?.value?.stringValue ?? "(unnamed)";
        for (const scope of resource.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              service,
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
            });
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    } catch (error) {
      problems.push(`unreadable export: ${(error as Error).message}`);
      res.writeHead(400).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    spans,
    problems,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TraceSummary {
  readonly traceId: string;
  readonly services: readonly string[];
  readonly spans: number;
  /** Span names, sorted. */
  readonly names: readonly string[];
  /** Each parent-child pair within the trace as "service: parent span → service: child span", sorted. */
  readonly edges: readonly string[];
}

/** The services and spans of the trace that spans the most services, with its id. */
export function widestTrace(spans: readonly ReceivedSpan[]): TraceSummary {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  let best: TraceSummary = { traceId: "", services: [], spans: 0, names: [], edges: [] };
  for (const [traceId, list] of byTrace) {
    const services = [...new Set(list.map((s) => s.service))].sort();
    if (services.length <= best.services.length) continue;
    const byId = new Map(list.map((s) => [s.spanId, s]));
    const edges = list.flatMap((child) => {
      const parent = child.parentSpanId ? byId.get(child.parentSpanId) : undefined;
      return parent ? [`${parent.service}: ${parent.name} → ${child.service}: ${child.name}`] : [];
    });
    best = { traceId, services, spans: list.length, names: list.map((s) => s.name).sort(), edges: edges.sort() };
  }
  return best;
}
