import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServiceName } from "../platform.js";
import { type LocalMode, startLocalMode } from "./local-process.js";

/**
 * Contract fuzz: for every operation in every service's OpenAPI document, malformed requests
 * generated from the operation's schema (wrong types, missing and unknown fields, extreme
 * lengths, NUL and unpaired surrogates, deep nesting, bad ids, bad headers), sent to a real
 * local mode both through the gateway and straight to the service. Every answer is below 500,
 * every error is problem+json, none takes a second, and every service is still ready after.
 */

const SERVICES: readonly Exclude<ServiceName, "gateway">[] = ["identity", "users", "tasks", "notifications"];
/** Generated requests per operation and route (gateway, direct); bounds the run's time. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 16);
const LIMIT_MS = 1_000;

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  maxLength?: number;
};
interface Operation {
  service: (typeof SERVICES)[number];
  method: string;
  path: string;
  params: string[];
  body?: Schema;
}

let local: LocalMode;
let token: string;
const operations: Operation[] = [];

beforeAll(async () => {
  local = await startLocalMode();
  const account = { email: `fuzz-${randomUUID().slice(0, 8)}@example.test`, password: "a long enough passphrase" };
  await fetch(`${local.base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...account, displayName: "Fuzz" }),
  });
  const login = await fetch(`${local.base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  token = ((await login.json()) as { accessToken: string }).accessToken;
  for (const service of SERVICES) {
    const doc = (await (await fetch(`http://127.0.0.1:${local.ports[service]}/api/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
    };
    for (const [path, byMethod] of Object.entries(doc.paths)) {
      if (!path.startsWith("/api/v1/")) continue;
      for (const [method, op] of Object.entries(byMethod)) {
        const body = op.requestBody?.content["application/json"]?.schema;
        operations.push({
          service,
          method: method.toUpperCase(),
          path,
          params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
          ...(body ? { body } : {}),
        });
      }
    }
  }
}, 90_000);
afterAll(async () => {
  await local?.stop();
});

const nasty = fc.constantFrom(
  "",
  "\u0000",
  "nul\u0000inside",
  "lone \ud800 high",
  "lone \udc00 low",
  "x".repeat(10_000),
  "../../etc/passwd",
  "' OR 1=1 --",
  "%00",
  "\u202e\ufeff",
  "😀",
);
const anyText = fc.oneof(nasty, fc.string({ maxLength: 300, unit: "binary" }));
const junk: fc.Arbitrary<unknown> = fc.oneof(
  anyText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(anyText, fc.integer()), { maxLength: 5 }),
  fc.dictionary(anyText, anyText, { maxKeys: 3 }),
);

/** A value near the schema (its type, or a mistake about it) for one field. */
function near(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const type = Array.isArray(schema?.type) ? schema?.type[0] : schema?.type;
  if (schema?.enum) return fc.oneof(fc.constantFrom(...schema.enum), junk);
  if (schema?.anyOf) return fc.oneof(...schema.anyOf.map(near), junk);
  switch (type) {
    case "string":
      return fc.oneof(anyText, fc.uuid(), fc.string({ maxLength: (schema?.maxLength ?? 50) + 2 }), junk);
    case "integer":
    case "number":
      return fc.oneof(fc.integer(), fc.constantFrom(-1, 0, 2 ** 53, Number.MAX_VALUE), junk);
    case "array":
      return fc.oneof(fc.array(near(schema?.items), { maxLength: 40 }), junk);
    case "object":
      return fc.oneof(objectNear(schema!), junk);
    default:
      return junk;
  }
}

/** An object with some of the schema's fields (each near its type), maybe an unknown one. */
function objectNear(schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, s]) => [name, near(s)]));
  return fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.option(fc.tuple(anyText, junk), { nil: undefined }))
    .map(([record, extra]) => (extra ? { ...record, [extra[0]]: extra[1] } : record));
}

const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** The raw body text: JSON near the schema, JSON of the wrong shape, deep nesting, or not JSON. */
function bodyText(schema: Schema | undefined): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 4, arbitrary: (schema ? objectNear(schema) : junk).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: junk.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.constantFrom(deep(5_000), deep(40), "{nope", "", '{"a":1', "\u0000") },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const badId = fc.oneof(
  fc.uuid(),
  fc.constantFrom("%00", "%ED%A0%80", "%E0%A4%A", "0", "-1", "x".repeat(300), "..", "%2e%2e", "null"),
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
);

const headerSets = fc.record(
  {
    contentType: fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1", "x/y"),
    ifMatch: fc.option(fc.constantFrom('"1"', 'W/"1"', "*", "garbage", '"99999999999999999999"'), { nil: undefined }),
    idempotencyKey: fc.option(fc.constantFrom(randomUUID(), "", "ü", "k".repeat(300)), { nil: undefined }),
    auth: fc.constantFrom("user", "user", "user", "none", "garbage"),
  },
  { requiredKeys: ["contentType", "auth"] },
);

function requestArbitrary(op: Operation) {
  return fc.record({
    params: fc.tuple(...op.params.map(() => badId), fc.constant("")),
    body: op.method === "GET" || op.method === "DELETE" ? fc.constant(undefined) : bodyText(op.body),
    query: fc.option(fc.constantFrom("?page=0", "?pageSize=100000", "?page=x", "?unread=maybe", "?q=%00"), {
      nil: undefined,
    }),
    headers: headerSets,
  });
}

interface Finding {
  op: string;
  via: string;
  status: number;
  ms: number;
  contentType: string;
}

describe("contract fuzz over every operation, through the gateway and direct", () => {
  it("never a 5xx, never an error that is not problem+json, never slower than 1 s; every service ready after", async () => {
    expect(operations.length).toBeGreaterThan(30);
    const bad: Finding[] = [];
    let cases = 0;
    const statuses = new Map<number, number>();
    const started = performance.now();
    for (const op of operations) {
      const samples = fc.sample(requestArbitrary(op), { numRuns: RUNS, seed: 17 });
      for (const [i, sample] of samples.entries()) {
        let path = op.path;
        op.params.forEach((name, n) => {
          path = path.replace(`{${name}}`, sample.params[n] as string);
        });
        const headers: Record<string, string> = { "content-type": sample.headers.contentType };
        if (sample.headers.ifMatch) headers["if-match"] = sample.headers.ifMatch;
        if (sample.headers.idempotencyKey !== undefined) headers["idempotency-key"] = sample.headers.idempotencyKey;
        if (sample.headers.auth === "user") headers.authorization = `Bearer ${token}`;
        if (sample.headers.auth === "garbage") headers.authorization = "Bearer not.a.token";
        // Alternate: half the samples go through the gateway, half straight to the service.
        const via = i % 2 === 0 ? "gateway" : op.service;
        const base = via === "gateway" ? local.base : `http://127.0.0.1:${local.ports[op.service]}`;
        const t0 = performance.now();
        const res = await fetch(`${base}${path}${sample.query ?? ""}`, {
          method: op.method,
          headers,
          ...(sample.body !== undefined ? { body: sample.body } : {}),
        }).catch((error: Error) => ({ status: 599, headers: new Headers(), text: async () => error.message }));
        await res.text();
        const ms = performance.now() - t0;
        cases += 1;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const contentType = res.headers.get("content-type") ?? "";
        const wrongType = res.status >= 400 && !contentType.includes("application/problem+json");
        if (res.status >= 500 || wrongType || ms > LIMIT_MS) {
          bad.push({
            op: `${op.method} ${path}`.slice(0, 160),
            via,
            status: res.status,
            ms: Math.round(ms),
            contentType,
          });
        }
      }
    }
    const seconds = (performance.now() - started) / 1000;
    console.info(
      `[contract-fuzz] ${operations.length} operations, ${cases} requests in ${seconds.toFixed(1)} s; ` +
        `${bad.filter((b) => b.status >= 500).length} 5xx, ${bad.length} findings; statuses ` +
        JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b))),
    );
    expect(bad).toEqual([]);
    for (const service of [...SERVICES, "gateway" as const]) {
      const ready = await fetch(`http://127.0.0.1:${local.ports[service]}/health/ready`);
      expect(ready.status, service).toBe(200);
    }
  }, 240_000);
});
