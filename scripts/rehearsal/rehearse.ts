import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer as createTlsServer, type Server } from "node:tls";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { PrivateRedis } from "../../adapters/redis/test-server.js";
import { freePort } from "../../adapters/testing/servers.js";
import { Graph } from "../../components/testing/graph.js";
import { runWalkthrough } from "../../services/e2e/walkthrough.js";
import { PrivatePostgres } from "../../services/kernel/db/private-postgres.js";
import { platform } from "../../services/platform.js";
import { creationOrder } from "../../stacks/program.js";
import { readStackSettings } from "../../stacks/settings.js";
import { readStack } from "../../stacks/testing/read-stack.js";
import { runStackWith } from "../../stacks/testing/run-stack.js";
import { missingBrokerEntities } from "./broker-check.js";
import { issueCertificates } from "./certificates.js";
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
  type TraceSummary,
  widestTrace,
} from "./otlp-receiver.js";
import { type RunningService, startService } from "./services.js";
import { type StagedImage, stageImage } from "./stage.js";
import type { Address, Swap } from "./target.js";
import { loadTarget } from "./targets.js";

/**
 * The deploy rehearsal (`npm run rehearse -- <target>`): builds the stack from its stack file
 * under the mocks, stages the image, starts every service with the command and environment
 * the graph gives it, and in place of the cloud's managed endpoints local stand-ins made from
 * the same graph. Only where connections go changes, and the list of those changes is printed
 * first. Then every service must be ready, the README walkthrough and `npm run smoke` must pass
 * through the gateway, and one trace must reach from the gateway through the broker to a
 * consumer. See docs/rehearsal.md.
 */

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const PRELOAD = new URL("./routes-preload.mjs", import.meta.url).href;
/** What the stack's user sets for a rehearsal beyond the stack file: an image and a collector. */
export const REHEARSAL_SETTINGS = {
  "taskflow:imageTag": "rehearsal",
  "taskflow:otelEndpoint": "http://otel-collector.internal:4318",
} as const;
const READY_WITHIN_MS = 30_000;
const TRACE_WITHIN_MS = 20_000;

export interface RehearsalOptions {
  /** An image staged already (shared between targets in one run); staged and removed here otherwise. */
  readonly image?: StagedImage;
  /** Progress lines. @default console.log */
  readonly log?: (line: string) => void;
  /** Changes the stack file's settings, e.g. for a check that must fail. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface RehearsalReport {
  readonly target: string;
  readonly swaps: readonly Swap[];
  readonly broker: string;
  readonly readyMs: Readonly<Record<string, number>>;
  readonly walkthrough: readonly string[];
  readonly smoke: string;
  readonly trace: TraceSummary;
  readonly exitCodes: Readonly<Record<string, number | null>>;
  readonly totalMs: number;
}

/** A stack file's `config:` as `namespace:key` → string, plus the rehearsal's settings. */
async function stackConfig(target: string, extra: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const file = join(REPO, "stacks", `Pulumi.${target}.yaml`);
  const parsed = parse(await readFile(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config = Object.fromEntries(Object.entries(parsed?.config ?? {}).map(([k, v]) => [k, String(v)]));
  return { ...config, ...REHEARSAL_SETTINGS, ...extra };
}

/** host:port of an http(s) URL, with the scheme's default port. */
function addressOf(url: string): Address {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80)) };
}

/** A TLS listener with the throw-away certificate that hands the plain bytes to `port`, as the platform's front end does. */
async function tlsFrontEnd(cert: string, key: string, port: number): Promise<{ port: number; server: Server }> {
  const server = createTlsServer({ cert, key }, (socket) => {
    const upstream = connect(port, "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, server };
}

/** Runs `npm run smoke -- <base>` as a user would; resolves with its last line, rejects with its output. */
function runSmoke(base: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "scripts", "smoke.ts"), base], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += String(chunk);
    });
    child.once("exit", (code) =>
      code === 0
        ? done(output.trim().split("\n").at(-1) ?? "")
        : fail(new Error(`[taskflow] [rehearsal] npm run smoke failed (exit ${code}):\n${output}`)),
    );
  });
}

/** The trace of `traceId` once it spans `want` services, or the best seen when time runs out. */
async function awaitTrace(receiver: OtlpReceiver, traceId: string, want: readonly string[]): Promise<TraceSummary> {
  const deadline = Date.now() + TRACE_WITHIN_MS;
  const of = (spans: readonly ReceivedSpan[]) => {
    return widestTrace(spans.filter((s) => s.traceId === traceId));
  };
  while (Date.now() < deadline) {
    const found = of(receiver.spans);
    if (want.every((s) => found.services.includes(s))) return found;
    await new Promise((done) => setTimeout(done, 250));
  }
  const found = of(receiver.spans);
  const perService = new Map<string, number>();
  for (const span of receiver.spans) perService.set(span.service, (perService.get(span.service) ?? 0) + 1);
  throw new Error(
    `[taskflow] [rehearsal] no trace ${traceId} through ${want.join(" → ")} within ${TRACE_WITHIN_MS} ms: ` +
      `the widest has ${found.services.join(", ") || "no services"} (spans received: ${[...perService].map(([k, v]) => `${k} ${v}`).join(", ") || "none"}${receiver.problems.length > 0 ? `; ${receiver.problems.join("; ")}` : ""})`,
  );
}

export class Rehearsal {
  readonly #cleanups: (() => Promise<unknown>)[] = [];
  #stopped = false;

  /** Stops everything started so far, newest first; idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    while (this.#cleanups.length > 0)
      await this.#cleanups
        .pop()?.()
        .catch(() => undefined);
  }

  #started<T>(thing: T, stop: (thing: T) => Promise<unknown>): T {
    if (this.#stopped) throw new Error("[taskflow] [rehearsal] stopped");
    this.#cleanups.push(() => stop(thing));
    return thing;
  }

  async run(targetName: string, options: RehearsalOptions = {}): Promise<RehearsalReport> {
    const log = options.log ?? console.log;
    const began = Date.now();
    const target = await loadTarget(targetName);

    // 1. The stack, built under the mocks from its stack file.
    const own = { ...REHEARSAL_SETTINGS, ...target.settings };
    const config = await stackConfig(targetName, { ...target.settings, ...options.settings });
    const settings = readStackSettings((namespace, key) => config[`${namespace}:${key}`], targetName);
    const run = await runStackWith(settings, config, target.mocks, targetName);
    const reading = await readStack(run, platform);
    const graph = new Graph(run.resources);
    const endpoints = target.endpoints(graph, settings.appName);
    log(
      `rehearse ${targetName}: stack ${settings.appName} built from stacks/Pulumi.${targetName}.yaml with ${Object.entries(
        own,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")} (${run.resources.length} resources)`,
    );

    // 2. The image.
    const image = options.image ?? this.#started(await stageImage(), (staged) => staged.remove());

    // 3. Stand-ins, from the graph.
    const dir = this.#started(await mkdtemp(join(tmpdir(), "taskflow-rehearsal-")), (d) =>
      rm(d, { recursive: true, force: true }),
    );
    const tlsHosts = [endpoints.database.host, endpoints.cache.host];
    if (endpoints.broker?.tls) tlsHosts.push(endpoints.broker.host);
    for (const address of Object.values(endpoints.services)) if (address.tls) tlsHosts.push(address.host);
    const ca = await issueCertificates(dir, [...new Set(tlsHosts)]);
    const [cert, key] = await Promise.all([readFile(ca.certFile, "utf8"), readFile(ca.keyFile, "utf8")]);
    const db = endpoints.database;
    const postgres = this.#started(
      await PrivatePostgres.start(ca, { user: db.user, password: db.password, database: db.name }),
      (s) => s.dispose(),
    );
    const redis = this.#started(await PrivateRedis.start({ tls: ca, password: endpoints.cache.password }), (s) =>
      s.dispose(),
    );
    const receiver = this.#started(await startOtlpReceiver(), (r) => r.close());
    const broker = this.#started(await target.startBroker(graph, settings.appName, ca), (b) => b.stop());

    // 4. Where each connection goes instead.
    const ports = Object.fromEntries(
      await Promise.all(Object.keys(reading.environments).map(async (s) => [s, await freePort()] as const)),
    );
    const routes: Record<string, number> = {};
    const swaps: Swap[] = [];
    const route = (what: string, from: Address, to: number) => {
      routes[`${from.host}:${from.port}`] = to;
      swaps.push({ what, from: `${from.host}:${from.port}`, to: `127.0.0.1:${to}` });
    };
    route(`PostgreSQL (TLS, password login for "${db.user}" on "${db.name}")`, db, postgres.port);
    route("Redis (TLS, AUTH)", endpoints.cache, redis.port);
    for (const [service, address] of Object.entries(endpoints.services)) {
      const port = ports[service];
      if (port === undefined)
        throw new Error(`[taskflow] [rehearsal] the graph routes to ${service}, which it does not run`);
      if (!address.tls) route(`${service} behind ${address.via ?? "the internal load balancer"}`, address, port);
      else {
        const front = this.#started(await tlsFrontEnd(cert, key, port), (f) => new Promise((d) => f.server.close(d)));
        route(`${service} behind the platform's TLS front end`, address, front.port);
      }
    }
    if (endpoints.broker) {
      if (broker.port === undefined) throw new Error("[taskflow] [rehearsal] the broker stand-in names no port");
      route(`broker${endpoints.broker.tls ? " (TLS)" : ""}`, endpoints.broker, broker.port);
    }
    if (!settings.otelEndpoint) throw new Error("[taskflow] [rehearsal] the stack has no otelEndpoint");
    route("OTLP/HTTP collector", addressOf(settings.otelEndpoint), receiver.port);

    const publicRoots = target.publicRoots !== false;
    const shared: Record<string, string> = {
      ...broker.env,
      ...(publicRoots ? { NODE_EXTRA_CA_CERTS: ca.caFile } : {}),
      NODE_OPTIONS: `--import=${PRELOAD}`,
      TASKFLOW_REHEARSAL_ROUTES: JSON.stringify(routes),
    };
    swaps.push(
      ...(broker.swaps ??
        Object.entries(broker.env).map(([name, value]) => ({
          what: "SDK endpoint variable",
          from: `${name} unset`,
          to: value,
        }))),
    );
    if (publicRoots)
      swaps.push({
        what: "trusted roots",
        from: "Node's roots",
        to: "Node's roots + the throw-away CA (NODE_EXTRA_CA_CERTS)",
      });
    swaps.push({
      what: "name resolution",
      from: "DNS",
      to: `the addresses above only (NODE_OPTIONS=--import ${PRELOAD})`,
    });

    // 5. Each service's environment: the graph's, with the swaps above and nothing else.
    const environments: Record<string, Record<string, string>> = {};
    for (const [service, injected] of Object.entries(reading.environments)) {
      const missing = injected.secretNames.filter((n) => injected.secretValues[n] === undefined);
      if (missing.length > 0)
        throw new Error(`[taskflow] [rehearsal] ${service}: no stored secret value behind ${missing.join(", ")}`);
      const env: Record<string, string> = { ...injected.plain, ...injected.secretValues, ...shared };
      swaps.push({ what: `${service} listens on`, from: `PORT=${env.PORT}`, to: `PORT=${ports[service]}` });
      env.PORT = String(ports[service]);
      for (const name of ["DATABASE_TLS_CA", "CACHE_TLS_CA", "RABBITMQ_TLS_CA", "KAFKA_TLS_CA"]) {
        if (env[name] === undefined) continue;
        swaps.push({ what: `${service} ${name}`, from: "the CA the stack gives", to: "the throw-away CA" });
        env[name] = ca.caPem;
      }
      const absent = missingBrokerEntities(service, env, broker.addresses);
      if (absent.length > 0)
        throw new Error(`[taskflow] [rehearsal] the graph does not create what ${absent.join("; ")}`);
      environments[service] = env;
    }

    log(`rehearse ${targetName}: swaps (only where connections go; every other value is the graph's):`);
    for (const swap of swaps) log(`  - ${swap.what}: ${swap.from} -> ${swap.to}`);
    log(`rehearse ${targetName}: broker stand-in: ${broker.summary}`);

    // 6. The services, one at a time in the stack's creation order (the token signer first, the
    // gateway last), each ready before the next starts, so each time to ready is its own and
    // not a share of a machine starting five at once.
    const running: RunningService[] = [];
    const readyMs: Record<string, number> = {};
    for (const declared of creationOrder(platform.services)) {
      const service = declared.name;
      const env = environments[service];
      if (!env) throw new Error(`[taskflow] [rehearsal] the graph runs no ${service} service`);
      const path = reading.capabilities.services.find((s) => s.service === service)?.health.readiness;
      if (!path) throw new Error(`[taskflow] [rehearsal] the graph gives ${service} no readiness path`);
      const command = reading.environments[service]?.command ?? [];
      const started = this.#started(startService(image, service, command, env, ports[service] as number), (s) =>
        s.stop(),
      );
      running.push(started);
      readyMs[service] = await started.ready(path, READY_WITHIN_MS);
      log(`rehearse ${targetName}: ${service} ready on ${path} after ${readyMs[service]} ms`);
    }

    // 7. The walkthrough, the smoke test and the trace, through the gateway.
    const gateway = running.find((s) => s.name === "gateway");
    if (!gateway) throw new Error("[taskflow] [rehearsal] the graph runs no gateway");
    const base = `http://127.0.0.1:${gateway.port}`;
    const checked = await (async () => {
      const walkthrough = await runWalkthrough(base, {
        onStep: (step) => log(`rehearse ${targetName}: walkthrough: ${step}`),
      });
      const smoke = await runSmoke(base);
      log(`rehearse ${targetName}: ${smoke}`);
      const trace = await awaitTrace(receiver, walkthrough.taskTraceId, ["gateway", "tasks", "notifications"]);
      return { walkthrough, smoke, trace };
    })().catch((error: Error) => {
      // What each service printed is the first thing to read when a check fails.
      const printed = running.map((s) => `--- ${s.name} printed:\n${s.output().slice(-2_000)}`).join("\n");
      throw new Error(`${error.message}\n${printed}`, { cause: error });
    });
    const { walkthrough, smoke, trace } = checked;
    log(`rehearse ${targetName}: trace ${trace.traceId}: ${trace.spans} spans across ${trace.services.join(", ")}`);
    for (const edge of trace.edges) log(`  - ${edge}`);

    // 8. Stop: each service drains its outbox on SIGTERM and exits 0.
    const exitCodes: Record<string, number | null> = {};
    await Promise.all(running.map(async (s) => (exitCodes[s.name] = await s.stop())));
    const failed = Object.entries(exitCodes).filter(([, code]) => code !== 0);
    if (failed.length > 0)
      throw new Error(
        `[taskflow] [rehearsal] ${failed.map(([s, c]) => `${s} exited ${c}`).join(", ")} on SIGTERM; ${failed.map(([s]) => running.find((r) => r.name === s)?.output()).join("\n")}`,
      );
    const totalMs = Date.now() - began;
    log(`rehearse ${targetName}: passed in ${totalMs} ms`);
    return {
      target: targetName,
      swaps,
      broker: broker.summary,
      readyMs,
      walkthrough: walkthrough.steps,
      smoke,
      trace,
      exitCodes,
      totalMs,
    };
  }
}
