import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-node";

/**
 * Trace context across HTTP hops and broker messages (W3C `traceparent`). A tracer provider is
 * always registered so that every request gets a trace id for its logs; spans leave the
 * process only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set.
 */

let provider: NodeTracerProvider | undefined;

export interface TracingOptions {
  readonly serviceName: string;
  /** OTLP/HTTP endpoint, e.g. http://otel-collector:4318; no exporter when absent. */
  readonly otlpEndpoint?: string;
  /** Extra processors, for tests that collect spans in memory. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

/** Registers the global tracer provider once per process; later calls return the first. */
export function initTracing(options: TracingOptions): { shutdown(): Promise<void> } {
  if (!provider) {
    const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
    if (options.otlpEndpoint) {
      const url = `${options.otlpEndpoint.replace(/\/$/, "")}/v1/traces`;
      processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
    }
    // Without anywhere to send spans, record none: every request still gets a trace id (for
    // logs and outgoing headers), but no span objects are built for nobody to read.
    const recording = processors.length > 0;
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ "service.name": options.serviceName }),
      spanProcessors: processors,
      sampler: new ParentBasedSampler({ root: recording ? new AlwaysOnSampler() : new AlwaysOffSampler() }),
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
  }
  const registered = provider;
  return { shutdown: () => registered.shutdown() };
}

export function tracer() {
  return trace.getTracer("taskflow");
}

type Carrier = Readonly<Record<string, string | string[] | undefined>>;

/** Built once: this runs for every request and message. */
const carrierGetter = {
  get: (carrier: Carrier, key: string) => carrier[key],
  keys: (carrier: Carrier) => Object.keys(carrier),
};

/** The trace context carried by incoming headers (HTTP or message). */
export function extractContext(headers: Carrier): Context {
  return propagation.extract(ROOT_CONTEXT, headers, carrierGetter);
}

/** `traceparent` (and `tracestate`) of the active span, to put on an outgoing message or request. */
export function traceHeaders(active: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(active, headers);
  return headers;
}

/** Trace id of the active span, for log lines; undefined outside a span. */
export function currentTraceId(): string | undefined {
  const id = trace.getSpan(context.active())?.spanContext().traceId;
  return id && id !== "00000000000000000000000000000000" ? id : undefined;
}

/**
 * Runs `work` in a consumer span whose parent is the trace in the message headers, so a
 * message handled here continues the trace of the request that caused it.
 */
export async function withMessageSpan<T>(
  name: string,
  headers: Readonly<Record<string, string>>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = extractContext(headers);
  return tracer().startActiveSpan(name, { kind: SpanKind.CONSUMER }, parent, (span) => endSpanAfter(span, work));
}

/** Runs `work`, marks the span failed if it throws, and always ends it. */
async function endSpanAfter<T>(span: Span, work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await work(span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Runs `publish` in a producer span that continues the trace in a stored message's headers,
 * and hands it those headers with this span as the parent: the trace then shows the hop from
 * the outbox to the broker, and the consumer's span hangs below it. A message that carries no
 * trace is published as it is.
 */
export async function withPublishSpan<T>(
  name: string,
  headers: Readonly<Record<string, string>>,
  publish: (headers: Readonly<Record<string, string>>) => Promise<T>,
): Promise<T> {
  if (!headers.traceparent) return publish(headers);
  return tracer().startActiveSpan(name, { kind: SpanKind.PRODUCER }, extractContext(headers), (span) =>
    endSpanAfter(span, () => publish({ ...headers, ...traceHeaders() })),
  );
}
