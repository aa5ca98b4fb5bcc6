import { randomUUID } from "node:crypto";
import { loadavg } from "node:os";
import autocannon from "autocannon";
import { freePort } from "../adapters/testing/servers.js";
import { startLocalMode } from "../services/e2e/local-process.js";
import { BENCH_TOKENS, BENCH_USER } from "./lib/bench-user.js";
import { startChild } from "./lib/child.js";
import { createBenchDatabase, postgresReachable } from "./lib/postgres.js";
import { type BenchResult, writeReport } from "./lib/report.js";

/**
 * The gateway hop. In separate processes, as in the cloud: the gateway alone over bare express
 * (its own cost; ceiling: a minimal keep-alive proxy over the same bare express, target ≥ 0.8),
 * and the gateway over the tasks service (GET a task, target p99 ≤ 15 ms at half rate; the
 * task details view, target p99 ≤ 50 ms at half rate and a rate ≥ 0.5 × the single GET's).
 * Then through the gateway in local mode (`services/local.ts`, every service in one process):
 * login, POST a task, GET a task, the task details view. Every server runs in a process of its
 * own, measured in the same run with the same load generator. Figures: the highest rate
 * (requests/s) and the latency at half that rate.
 */

const CONNECTIONS = 20;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function load(options: autocannon.Options): Promise<Run> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

type Profiled = { max: Run; half: Run };

/** Highest rate, then latency at half of it, as a user with a steady load would see it. */
async function profile(name: string, options: autocannon.Options): Promise<Profiled> {
  const max = await load(options);
  const half = await load({ ...options, overallRate: Math.max(1, Math.floor(max.rps / 2)) });
  console.log(
    `[bench] ${name}: max ${max.rps.toFixed(0)} req/s (p50 ${max.p50} ms, p99 ${max.p99} ms, non-2xx ${max.non2xx}, errors ${max.errors}); ` +
      `at half rate p50 ${half.p50} ms, p99 ${half.p99} ms`,
  );
  if (max.non2xx > 0 || max.errors > 0)
    throw new Error(`[taskflow] [bench] ${name}: ${max.non2xx} non-2xx, ${max.errors} errors`);
  return { max, half };
}

async function bareExpress(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const program = `
    import express from "express";
    const app = express();
    app.disable("x-powered-by");
    app.get("/api/v1/tasks/:id", (req, res) => res.json({ id: req.params.id, title: "Write the release notes", status: "doing" }));
    app.listen(${port}, "127.0.0.1", () => console.log("ready"));`;
  const child = await startChild(["--input-type=module", "-e", program]);
  return { url: `http://127.0.0.1:${port}`, stop: child.stop };
}

/**
 * The gateway alone in its own process, in front of `upstream` (every upstream name points
 * there): what the gateway itself costs (token check, rate limit, proxy hop). The process
 * prints, as its first line, an access token it signed for the bench user and the JWKS that
 * verifies it, so that an upstream can check the tokens the gateway passes on.
 */
async function gatewayOver(upstream: string): Promise<{ url: string; token: string; jwks: string; stop(): void }> {
  const port = await freePort();
  const root = new URL("../", import.meta.url).href;
  const program = `
    import { createLocalJWKSet } from "jose";
    import { MemoryCache } from "${root}adapters/memory/cache.ts";
    import { createGateway } from "${root}services/gateway/app.ts";
    import { generateSigningKeyPem, jwks, signingKeyFromPem } from "${root}services/identity/domain/signing-key.ts";
    import { signAccessToken } from "${root}services/identity/domain/tokens.ts";
    import { jwtIdentitySource } from "${root}services/kernel/auth/caller.ts";
    import { createLogger } from "${root}services/kernel/observability/logger.ts";
    import { listen } from "${root}services/kernel/runtime.ts";
    const key = await signingKeyFromPem(generateSigningKeyPem());
    const tokens = ${JSON.stringify(BENCH_TOKENS)};
    const up = ${JSON.stringify(upstream)};
    const gateway = createGateway({
      upstreams: { tasks: up, users: up, identity: up, notifications: up },
      cache: new MemoryCache({ namespace: "bench" }),
      identity: jwtIdentitySource({ keys: createLocalJWKSet(jwks([key])), ...tokens }),
      log: createLogger({ service: "gateway", level: "silent" }),
      rateLimit: { limit: 100000000, windowMs: 60000 },
      clientRateLimit: { limit: 100000000, windowMs: 60000 },
    });
    await listen(gateway.app, ${port});
    const token = await signAccessToken(key, tokens, { sub: ${JSON.stringify(BENCH_USER)}, email: "bench@example.test", roles: ["user"], sessionId: "bench-session" });
    console.log(JSON.stringify({ token, jwks: jwks([key]) }));`;
  const child = await startChild(["--import", import.meta.resolve("tsx"), "--input-type=module", "-e", program]);
  const first = JSON.parse(child.firstLine) as { token: string; jwks: unknown };
  return { url: `http://127.0.0.1:${port}`, token: first.token, jwks: JSON.stringify(first.jwks), stop: child.stop };
}

/**
 * The gateway and the tasks service each in a process of their own, as they run in the cloud:
 * a GET of a task and the task details view (three parallel reads of the tasks service), both
 * through the gateway, which checks the token and the tasks service checks it again. The
 * tasks service keeps its data on the PostgreSQL server, as deployed (in a database of the
 * bench's own), or on PGlite when no server is reachable.
 */
async function gatewayOverTasks(): Promise<{ get: Profiled; details: Profiled; database: string }> {
  const tasksPort = await freePort();
  const gateway = await gatewayOver(`http://127.0.0.1:${tasksPort}`);
  const projectId = randomUUID();
  const database = (await postgresReachable()) ? await createBenchDatabase("gateway") : undefined;
  const tasks = await startChild([
    "--import",
    "tsx",
    "bench/http.bench.ts",
    "serve",
    String(tasksPort),
    projectId,
    database?.url ?? "pglite:memory",
    gateway.jwks,
  ]);
  try {
    const auth = { authorization: `Bearer ${gateway.token}` };
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${gateway.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`[taskflow] [bench] ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const board = await post("/api/v1/boards", { projectId, name: "Bench board" });
    const card = await post(`/api/v1/boards/${board.id}/cards`, { name: "To do", type: "todo" });
    const task = await post(`/api/v1/boards/${board.id}/tasks`, { cardId: card.id, title: "Benchmark task" });
    for (let i = 0; i < 5; i++) await post(`/api/v1/tasks/${task.id}/comments`, { body: `Comment ${i}` });
    const get = await profile("gateway GET task, separate processes", {
      url: `${gateway.url}/api/v1/tasks/${task.id}`,
      headers: auth,
    });
    const details = await profile("gateway GET task details, separate processes", {
      url: `${gateway.url}/api/v1/tasks/${task.id}/details`,
      headers: auth,
    });
    return { get, details, database: database ? "PostgreSQL" : "PGlite" };
  } finally {
    tasks.stop();
    gateway.stop();
    await new Promise((r) => setTimeout(r, 300));
    await database?.drop();
  }
}

/**
 * The least a proxy hop costs on this machine: plain `node:http` with a keep-alive agent (no
 * token check, rate limit, timeout or breaker) in front of the same bare express. No gateway
 * can be cheaper than this hop, so its ratio is the ceiling the gateway's figures sit under.
 */
async function minimalProxyOver(upstream: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const program = `
    import http from "node:http";
    const target = new URL(${JSON.stringify(upstream)});
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    http.createServer((req, res) => {
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent },
        (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => { res.statusCode = 502; res.end(); });
      req.pipe(forward);
    }).listen(${port}, "127.0.0.1", () => console.log("ready"));`;
  const child = await startChild(["--input-type=module", "-e", program]);
  return { url: `http://127.0.0.1:${port}`, stop: child.stop };
}

const local = await startLocalMode({
  waitFor: ["gateway", "tasks", "identity", "notifications"],
  // A first start opens four embedded databases; on a loaded shared machine that can take minutes.
  readyTimeoutMs: 180_000,
  env: {
    LOG_LEVEL: "silent",
    TASKFLOW_RATE_LIMIT_PER_MINUTE: "100000000",
    TASKFLOW_CLIENT_LIMIT_PER_MINUTE: "100000000",
    TASKFLOW_SIGNIN_LIMIT_PER_MINUTE: "100000000",
  },
});
const bare = await bareExpress();
try {
  const json = { "content-type": "application/json" };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${local.base}${path}`, {
      method,
      headers: { ...json, ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`[taskflow] [bench] ${method} ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const user = {
    email: `bench-${randomUUID()}@example.test`,
    password: "bench-password-long-enough",
    displayName: "Bench User",
  };
  await call("POST", "/api/v1/auth/register", user);
  const login = await call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
  const auth = { authorization: `Bearer ${login.accessToken}` };
  // The profile is created from the registration event: wait for it before creating an organization.
  for (let i = 0; ; i++) {
    const res = await fetch(`${local.base}/api/v1/users/me`, { headers: auth });
    if (res.ok) break;
    if (i === 100) throw new Error(`[taskflow] [bench] the profile did not appear: ${res.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const organization = await call(
    "POST",
    "/api/v1/organizations",
    { name: "Bench org", description: "Benchmarks" },
    auth,
  );
  const project = await call("POST", `/api/v1/organizations/${organization.id}/projects`, { name: "Bench" }, auth);
  const projectId = project.id;
  const board = await call("POST", "/api/v1/boards", { projectId, name: "Bench board" }, auth);
  const card = await call("POST", `/api/v1/boards/${board.id}/cards`, { name: "To do", type: "todo" }, auth);
  const task = await call(
    "POST",
    `/api/v1/boards/${board.id}/tasks`,
    { cardId: card.id, title: "Benchmark task" },
    auth,
  );

  const bareGet = await profile("bare express GET", { url: `${bare.url}/api/v1/tasks/${task.id}` });
  const proxy = await minimalProxyOver(bare.url);
  let overProxy: { max: Run; half: Run };
  try {
    overProxy = await profile("minimal keep-alive proxy over bare express", {
      url: `${proxy.url}/api/v1/tasks/${task.id}`,
    });
  } finally {
    proxy.stop();
  }
  const alone = await gatewayOver(bare.url);
  let overBare: { max: Run; half: Run };
  try {
    overBare = await profile("gateway GET over bare express", {
      url: `${alone.url}/api/v1/tasks/${task.id}`,
      headers: { authorization: `Bearer ${alone.token}` },
    });
  } finally {
    alone.stop();
  }
  const separate = await gatewayOverTasks();
  const gatewayGet = await profile("gateway GET task", { url: `${local.base}/api/v1/tasks/${task.id}`, headers: auth });
  const details = await profile("gateway GET task details", {
    url: `${local.base}/api/v1/tasks/${task.id}/details`,
    headers: auth,
  });
  // A login is one scrypt hash (about 50 ms of CPU on purpose), so a few connections saturate it.
  // Each connection signs in as its own account: identity counts an attempt as failed until it
  // succeeds, so one account signing in many times at once from one client is throttled like a
  // guesser running in parallel.
  const signers = [{ email: user.email, password: user.password }];
  for (let i = 1; i < 4; i++) {
    const other = { ...user, email: `bench-${randomUUID()}@example.test` };
    await call("POST", "/api/v1/auth/register", other);
    signers.push({ email: other.email, password: other.password });
  }
  let signer = 0;
  const login2 = await profile("gateway login", {
    connections: signers.length,
    url: `${local.base}/api/v1/auth/login`,
    method: "POST",
    headers: json,
    body: JSON.stringify(signers[0]),
    setupClient: (client) => client.setBody(JSON.stringify(signers[signer++ % signers.length])),
  });
  // A board holds at most 1000 tasks with unique titles: POSTs go to fresh boards, a bounded number per board.
  const boards: string[] = [];
  for (let i = 0; i < 8; i++) {
    const b = await call("POST", "/api/v1/boards", { projectId, name: `Bench board ${i}` }, auth);
    const c = await call("POST", `/api/v1/boards/${b.id}/cards`, { name: "To do", type: "todo" }, auth);
    boards.push(`${b.id}|${c.id}`);
  }
  let n = 0;
  const postTask = (overallRate?: number) =>
    load({
      url: local.base,
      amount: overallRate ? Math.min(900, overallRate * SECONDS) : 900,
      ...(overallRate ? { overallRate } : {}),
      requests: [
        {
          method: "POST",
          setupRequest: (req) => {
            const i = n++;
            const [boardId, cardId] = boards[Math.floor(i / 950) % boards.length]!.split("|");
            return {
              ...req,
              path: `/api/v1/boards/${boardId}/tasks`,
              headers: { ...json, ...auth },
              body: JSON.stringify({ cardId, title: `Bench task ${i}` }),
            };
          },
        },
      ],
    });
  const postMax = await postTask();
  const postHalf = await postTask(Math.max(1, Math.floor(postMax.rps / 2)));
  console.log(
    `[bench] gateway POST task: max ${postMax.rps.toFixed(0)} req/s; at half rate p50 ${postHalf.p50} ms, p99 ${postHalf.p99} ms (non-2xx ${postMax.non2xx})`,
  );

  const proxyCeiling = { name: "minimal keep-alive proxy over bare express", value: overProxy.max.rps };
  const singleGet = { name: "gateway GET task, separate processes", value: separate.get.max.rps };
  const results: BenchResult[] = [
    // The machine is shared: its load says how far these figures are from an idle machine's.
    { name: "machine load average (1 min, 2 cores) at the end", value: loadavg()[0]!, unit: "load" },
    { name: "bare express GET (max rate)", value: bareGet.max.rps, unit: "req/s" },
    {
      name: "minimal keep-alive proxy over bare express (max rate)",
      value: overProxy.max.rps,
      unit: "req/s",
      baseline: { name: "bare express GET", value: bareGet.max.rps },
    },
    {
      name: "gateway GET over bare express (max rate)",
      value: overBare.max.rps,
      unit: "req/s",
      baseline: proxyCeiling,
    },
    { name: "gateway GET over bare express p99 at half rate", value: overBare.half.p99, unit: "ms" },
    {
      name: `gateway GET task, separate processes, tasks on ${separate.database} (max rate)`,
      value: separate.get.max.rps,
      unit: "req/s",
    },
    {
      name: "gateway GET task, separate processes, p99 at half rate",
      value: separate.get.half.p99,
      unit: "ms",
      baseline: { name: "target", value: 15 },
    },
    {
      name: "gateway GET task details, separate processes (max rate)",
      value: separate.details.max.rps,
      unit: "req/s",
      baseline: singleGet,
    },
    {
      name: "gateway GET task details, separate processes, p99 at half rate",
      value: separate.details.half.p99,
      unit: "ms",
      baseline: { name: "target", value: 50 },
    },
    {
      name: "gateway GET task, local mode (max rate)",
      value: gatewayGet.max.rps,
      unit: "req/s",
      baseline: { name: "bare express GET", value: bareGet.max.rps },
    },
    { name: "gateway GET task details, local mode (max rate)", value: details.max.rps, unit: "req/s" },
    { name: "gateway login, local mode (max rate)", value: login2.max.rps, unit: "req/s" },
    { name: "gateway POST task, local mode (max rate)", value: postMax.rps, unit: "req/s" },
    { name: "bare express GET p99 at half rate", value: bareGet.half.p99, unit: "ms" },
    { name: "gateway GET task, local mode, p99 at half rate", value: gatewayGet.half.p99, unit: "ms" },
    { name: "gateway GET task details, local mode, p99 at half rate", value: details.half.p99, unit: "ms" },
    { name: "gateway login, local mode, p99 at half rate", value: login2.half.p99, unit: "ms" },
    { name: "gateway POST task, local mode, p99 at half rate", value: postHalf.p99, unit: "ms" },
  ];
  await writeReport("gateway", results);
  console.log("[bench] wrote bench/results/gateway.{json,md}");
} finally {
  bare.stop();
  await local.stop();
}
