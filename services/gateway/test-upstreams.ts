import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createLocalJWKSet, jwtVerify } from "jose";
import { MemoryCache } from "../../adapters/memory/cache.js";
import { API_KEY_TOKEN_TTL_SECONDS } from "../identity/domain/api-key.js";
import { generateSigningKeyPem, jwks, type SigningKey, signingKeyFromPem } from "../identity/domain/signing-key.js";
import { type Role, signAccessToken, type TokenSettings } from "../identity/domain/tokens.js";
import { jwtIdentitySource } from "../kernel/auth/caller.js";
import type { RevocationCheck } from "../kernel/auth/revocations.js";
import { createLogger } from "../kernel/observability/logger.js";
import { listen } from "../kernel/runtime.js";
import { createGateway, type Gateway, type GatewayOptions, type UpstreamName } from "./app.js";

/**
 * Stand-ins for the upstream services in gateway tests and the gateway benchmark. Each one
 * verifies the forwarded token as the real services do and applies their ownership rule: a
 * path segment `owned-by-<userId>` is that user's resource, a 404 for anyone else except an
 * admin. A segment `answers-<status>` is answered with that status (a service's own 4xx or 500
 * for one bad request, or its 503 when it is failing). Identity's stand-in also exchanges the
 * API keys it was given.
 */
export interface StubUpstream {
  readonly name: UpstreamName;
  port: number;
  /** Requests seen: method, URL and the headers the gateway forwarded. */
  readonly seen: { method: string; url: string; headers: IncomingMessage["headers"] }[];
  stop(): Promise<void>;
  /** Listens again on the same port (after `stop`), as a restarted service would. */
  restart(): Promise<void>;
}

export interface StubOptions {
  readonly key: SigningKey;
  readonly tokens: TokenSettings;
  /** API key → the user and scopes its token carries. */
  readonly apiKeys?: Readonly<Record<string, { userId: string; scope: string }>>;
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": status >= 400 ? "application/problem+json" : "application/json" });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

export async function startStubUpstream(name: UpstreamName, options: StubOptions): Promise<StubUpstream> {
  const keys = createLocalJWKSet(jwks([options.key]));
  const seen: StubUpstream["seen"] = [];
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    const body = await readBody(req);
    const url = new URL(req.url ?? "/", "http://stub");
    if (name === "identity" && url.pathname.endsWith("/auth/token")) {
      const apiKey = String(JSON.parse(body || "{}").apiKey);
      const grant = options.apiKeys?.[apiKey];
      if (!grant) return send(res, 401, { status: 401, detail: "invalid or revoked API key" });
      const accessToken = await signAccessToken(
        options.key,
        options.tokens,
        {
          sub: grant.userId,
          email: `${grant.userId}@example.test`,
          roles: ["user"],
          scope: grant.scope,
          apiKeyId: apiKey.slice(0, 16),
        },
        API_KEY_TOKEN_TTL_SECONDS,
      );
      return send(res, 200, {
        tokenType: "Bearer",
        accessToken,
        expiresIn: API_KEY_TOKEN_TTL_SECONDS,
        scope: grant.scope,
      });
    }
    let caller: { sub?: string; roles?: unknown } | undefined;
    const auth = req.headers.authorization;
    if (auth) {
      try {
        caller = (await jwtVerify(auth.replace(/^Bearer /, ""), keys, options.tokens)).payload;
      } catch {
        return send(res, 401, { status: 401, detail: "invalid token" });
      }
    }
    const forced = /answers-(\d{3})/.exec(url.pathname)?.[1];
    if (forced) return send(res, Number(forced), { status: Number(forced), detail: "as asked" });
    const owner = /owned-by-([\w-]+)/.exec(url.pathname)?.[1];
    const admin = Array.isArray(caller?.roles) && caller.roles.includes("admin");
    if (owner && caller?.sub !== owner && !admin) return send(res, 404, { status: 404, detail: "not found" });
    send(res, req.method === "POST" ? 201 : 200, {
      service: name,
      method: req.method,
      path: url.pathname,
      user: caller?.sub ?? null,
    });
  };
  let server: Server = createServer((req, res) => {
    handler(req, res).catch(() => send(res, 500, { status: 500 }));
  });
  const stub: StubUpstream = {
    name,
    port: 0,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    restart: async () => {
      server = createServer((req, res) => {
        handler(req, res).catch(() => send(res, 500, { status: 500 }));
      });
      await new Promise<void>((resolve) => server.listen(stub.port, "127.0.0.1", resolve));
    },
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.port = (server.address() as AddressInfo).port;
  return stub;
}

/** A gateway in front of one stand-in per upstream, with tokens for the usual callers. */
export interface GatewayHarness {
  readonly base: string;
  readonly gateway: Gateway;
  readonly stubs: Readonly<Record<UpstreamName, StubUpstream>>;
  readonly key: SigningKey;
  readonly tokens: TokenSettings;
  /** A valid access token for `sub` with `roles`, of the session `sessionId` (one per user by default). */
  token(sub: string, roles?: Role[], sessionId?: string): Promise<string>;
  close(): Promise<void>;
}

export const UPSTREAM_NAMES: readonly UpstreamName[] = ["tasks", "users", "identity", "notifications"];

export async function startGatewayHarness(
  options: {
    apiKeys?: StubOptions["apiKeys"];
    gateway?: Partial<GatewayOptions>;
    /** Ended sessions and revoked keys, as identity's revocation list would name them. */
    revocations?: RevocationCheck;
  } = {},
): Promise<GatewayHarness> {
  const key = await signingKeyFromPem(generateSigningKeyPem());
  const tokens = { issuer: "taskflow-identity", audience: "taskflow" };
  const stubs = Object.fromEntries(
    await Promise.all(
      UPSTREAM_NAMES.map(async (name) => [
        name,
        await startStubUpstream(name, { key, tokens, ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}) }),
      ]),
    ),
  ) as Record<UpstreamName, StubUpstream>;
  const gateway = createGateway({
    upstreams: Object.fromEntries(UPSTREAM_NAMES.map((n) => [n, `http://127.0.0.1:${stubs[n].port}`])) as Record<
      UpstreamName,
      string
    >,
    cache: new MemoryCache({ namespace: `gateway-test-${randomUUID()}`, maxEntries: 100_000 }),
    identity: jwtIdentitySource({
      keys: createLocalJWKSet(jwks([key])),
      ...tokens,
      ...(options.revocations ? { revocations: options.revocations } : {}),
    }),
    log: createLogger({ service: "gateway", level: "silent" }),
    upstreamPolicy: { timeoutMs: 1_000, retries: 1, initialDelayMs: 10, breakerThreshold: 3, halfOpenAfterMs: 300 },
    ...options.gateway,
  });
  const server = await listen(gateway.app, 0);
  return {
    base: `http://127.0.0.1:${server.port}`,
    gateway,
    stubs,
    key,
    tokens,
    token: (sub, roles = ["user"], sessionId = `session-${sub}`) =>
      signAccessToken(key, tokens, { sub, email: `${sub}@example.test`, roles, sessionId }),
    async close() {
      await server.close();
      gateway.close();
      await Promise.all(Object.values(stubs).map((s) => s.stop()));
    },
  };
}
