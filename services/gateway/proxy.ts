import { Agent, request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { TaskflowError } from "../../adapters/core/errors.js";
import type { UpstreamPolicy } from "../kernel/resilience.js";

/**
 * Forwards one request to an upstream service under that upstream's policy (timeout, circuit
 * breaker, retries for idempotent requests). Bodies are buffered: the gateway already holds
 * the request body to enforce its size limit, and a buffered response lets a 503 from a
 * failing upstream count against its breaker and be retried.
 */

export interface UpstreamRequest {
  readonly method: string;
  /** Path and query, e.g. `/api/v1/boards?page=2`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * The upstream answered that it cannot serve anyone right now (502, 503, 504); thrown so the
 * breaker and the retry see it, then unwrapped. A 500 is not among them: the service is up
 * and answered, and what failed was one request's handling, which one caller can cause at
 * will. Counting it would let any signed-in user open the circuit for everyone.
 */
export class UpstreamStatusError extends TaskflowError {
  readonly response: UpstreamResponse;
  constructor(upstream: string, response: UpstreamResponse) {
    super("gateway", `upstream "${upstream}" answered ${response.status}`);
    this.response = response;
  }
}

/** Statuses that say the upstream as a whole is failing; the only answers the breaker counts. */
const UNAVAILABLE = new Set([502, 503, 504]);

/** Hop-by-hop headers (RFC 9110 §7.6.1) never cross the gateway. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

export function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2). */
export function isIdempotent(method: string, headers: Readonly<Record<string, string>>): boolean {
  return ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].includes(method) || headers["idempotency-key"] !== undefined;
}

export interface Upstream {
  readonly name: string;
  readonly baseUrl: URL;
  readonly policy: UpstreamPolicy;
  readonly agent: Agent;
  /** node:http's or node:https's request, by the base URL's scheme. */
  readonly request: typeof httpRequest;
}

export function createUpstream(name: string, baseUrl: string, policy: UpstreamPolicy): Upstream {
  const url = new URL(baseUrl);
  // Cloud Run's service URLs are https only: the platform terminates TLS in front of the container.
  const secure = url.protocol === "https:";
  // Keep-alive: without it every proxied request pays a TCP (and TLS) handshake to the upstream.
  const options = { keepAlive: true, maxSockets: 256 };
  return {
    name,
    baseUrl: url,
    policy,
    agent: secure ? new HttpsAgent(options) : new Agent(options),
    request: secure ? httpsRequest : httpRequest,
  };
}

function once(upstream: Upstream, req: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers["content-length"] = req.body.length;
    const outgoing = upstream.request(
      {
        host: upstream.baseUrl.hostname,
        port: upstream.baseUrl.port,
        method: req.method,
        path: req.path,
        headers,
        agent: upstream.agent,
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const response = { status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) };
          if (UNAVAILABLE.has(response.status)) reject(new UpstreamStatusError(upstream.name, response));
          else resolve(response);
        });
        res.on("error", reject);
      },
    );
    outgoing.on("error", (error) =>
      reject(new TaskflowError("gateway", `cannot reach upstream "${upstream.name}"`, { cause: error })),
    );
    outgoing.end(req.body);
  });
}

/**
 * Sends `req` to `upstream`. Resolves with the upstream's answer, including its 4xx and 5xx;
 * rejects only when there is no answer to pass on (refused, timed out, circuit open).
 */
export async function forward(upstream: Upstream, req: UpstreamRequest): Promise<UpstreamResponse> {
  try {
    return await upstream.policy.execute((signal) => once(upstream, req, signal), {
      idempotent: isIdempotent(req.method, req.headers),
    });
  } catch (error) {
    if (error instanceof UpstreamStatusError) return error.response;
    throw error;
  }
}

/**
 * Pipes a long-lived response (Server-Sent Events) to the client as it arrives, without the
 * per-attempt timeout, and closes the upstream request when the client goes away.
 */
export function stream(upstream: Upstream, req: UpstreamRequest, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = upstream.request(
      {
        host: upstream.baseUrl.hostname,
        port: upstream.baseUrl.port,
        method: req.method,
        path: req.path,
        headers: req.headers,
        agent: upstream.agent,
      },
      (answer) => {
        const headers = forwardableHeaders(answer.headers);
        res.writeHead(answer.statusCode ?? 502, headers);
        res.flushHeaders();
        answer.pipe(res);
        answer.on("end", resolve);
        answer.on("error", resolve);
      },
    );
    // The response closes when it ends or when the client goes away; either way the upstream call is done.
    res.on("close", () => outgoing.destroy());
    outgoing.on("error", (error) => {
      if (res.headersSent) resolve();
      else reject(new TaskflowError("gateway", `cannot reach upstream "${upstream.name}"`, { cause: error }));
    });
    outgoing.end();
  });
}
