import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./core/errors.js";
import { MemoryBroker } from "./memory/message-broker.js";
import { createBroker, createCache, readAdapterSelection, resolveAdapters } from "./select.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SELECT_URL = new URL("./select.ts", import.meta.url).href;

/** Packages that only a cloud or server adapter may bring in. */
const SDK_PACKAGES = ["@aws-sdk/", "@smithy/", "@azure/", "@google-cloud/", "kafkajs", "amqplib", "ioredis"];

/**
 * Runs `createBroker` and `createCache` with `env` in a fresh Node process and returns the
 * npm packages that process loaded. A resolve hook registered before `select.ts` is imported
 * sees every import, static or dynamic, ESM or CommonJS.
 */
function packagesLoadedBy(env: Record<string, string>): Promise<string[]> {
  const probe = `
    import { registerHooks } from "node:module";
    const urls = new Set();
    registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); urls.add(result.url); return result; } });
    const { createBroker, createCache } = await import(${JSON.stringify(SELECT_URL)});
    const env = JSON.parse(process.env.PROBE_ENV);
    for (const create of [createBroker, createCache]) {
      try { await (await create(env)).close(); } catch (error) { console.error(String(error)); }
    }
    const packages = new Set();
    for (const url of urls) {
      if (!url.includes("/node_modules/")) continue;
      const [first, second] = url.split("/node_modules/").pop().split("/");
      packages.add(first.startsWith("@") ? first + "/" + second : first);
    }
    console.log("LOADED " + JSON.stringify([...packages]));
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", probe],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", PROBE_ENV: JSON.stringify(env) }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const line = stdout.split("\n").find((text) => text.startsWith("LOADED "));
        if (error || !line) {
          reject(new Error(`[taskflow] [tests] probe process failed: ${error?.message ?? "no output"}\n${stderr}`));
          return;
        }
        resolve(JSON.parse(line.slice("LOADED ".length)) as string[]);
      },
    );
  });
}

const sdkIn = (packages: string[]) => packages.filter((name) => SDK_PACKAGES.some((sdk) => name.startsWith(sdk)));

describe("adapter selection", () => {
  it("an unknown CLOUD_PROVIDER is a ConfigError naming the setting and the accepted values", async () => {
    const error = await createBroker({ CLOUD_PROVIDER: "bogus" }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain("CLOUD_PROVIDER");
    expect(message).toContain('"bogus"');
    for (const provider of ["local", "aws", "azure", "gcp", "kubernetes"]) expect(message).toContain(provider);
    await expect(createCache({ CLOUD_PROVIDER: "bogus" })).rejects.toBeInstanceOf(ConfigError);
  });

  it("reports a bad CLOUD_PROVIDER and a bad BROKER together", () => {
    const error = (() => {
      try {
        resolveAdapters({ CLOUD_PROVIDER: "moon", BROKER: "pigeon" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join("\n");
    expect(problems).toContain("CLOUD_PROVIDER");
    expect(problems).toContain("BROKER");
    expect(problems).toContain("rabbitmq");
  });

  it("each provider gets the broker and cache of docs/design.md, adapters", () => {
    const expected = {
      local: { broker: "memory", cache: "memory" },
      aws: { broker: "aws-sns-sqs", cache: "redis" },
      azure: { broker: "azure-service-bus", cache: "redis" },
      gcp: { broker: "gcp-pubsub", cache: "redis" },
      kubernetes: { broker: "kafka", cache: "redis" },
    } as const;
    for (const [provider, adapters] of Object.entries(expected)) {
      expect(resolveAdapters({ CLOUD_PROVIDER: provider })).toEqual({ provider, ...adapters });
    }
    expect(resolveAdapters({})).toEqual({ provider: "local", broker: "memory", cache: "memory" });
  });

  it("BROKER and CACHE override the provider's defaults", () => {
    expect(resolveAdapters({ CLOUD_PROVIDER: "kubernetes", BROKER: "rabbitmq" })).toEqual({
      provider: "kubernetes",
      broker: "rabbitmq",
      cache: "redis",
    });
    expect(resolveAdapters({ CLOUD_PROVIDER: "aws", BROKER: "memory", CACHE: "memory" })).toEqual({
      provider: "aws",
      broker: "memory",
      cache: "memory",
    });
  });

  it("local mode builds the in-memory broker and cache", async () => {
    const broker = await createBroker({ CLOUD_PROVIDER: "local" });
    const cache = await createCache({ CLOUD_PROVIDER: "local" });
    try {
      expect(broker).toBeInstanceOf(MemoryBroker);
      expect(broker.name).toBe("memory");
      expect(cache.name).toBe("memory");
      expect(await broker.ping()).toBe(true);
    } finally {
      await Promise.all([broker.close(), cache.close()]);
    }
  });

  it("CLOUD_PROVIDER=local loads no cloud SDK or server client module", async () => {
    const loaded = await packagesLoadedBy({ CLOUD_PROVIDER: "local" });
    expect(loaded).toContain("zod");
    expect(sdkIn(loaded)).toEqual([]);
  }, 40_000);

  it("the probe does see a client library when an adapter that needs one is chosen (CACHE=redis)", async () => {
    const loaded = await packagesLoadedBy({
      CLOUD_PROVIDER: "local",
      CACHE: "redis",
      CACHE_URL: "redis://127.0.0.1:6379/0",
    });
    expect(sdkIn(loaded)).toContain("ioredis");
  }, 40_000);
});

describe("adapter selection settings", () => {
  it("defaults to local mode with no topic maps", () => {
    expect(readAdapterSelection({})).toEqual({ CLOUD_PROVIDER: "local", BROKER_TOPICS: {}, BROKER_SUBSCRIPTIONS: {} });
  });

  it("reports every problem at once, naming each variable and how to fix it", () => {
    const error = (() => {
      try {
        readAdapterSelection({ CLOUD_PROVIDER: "bogus", BROKER: "carrier-pigeon", BROKER_TOPICS: "[1,2]" });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems).toHaveLength(3);
    expect(error?.message).toMatch(/CLOUD_PROVIDER \("bogus"\).*local, aws, azure, gcp, kubernetes/);
    expect(error?.message).toMatch(/BROKER \("carrier-pigeon"\)/);
    expect(error?.message).toMatch(/BROKER_TOPICS .*JSON object/);
  });

  it("parses topic maps from JSON", () => {
    const selection = readAdapterSelection({ BROKER_TOPICS: '{"task-events":"arn:aws:sns:x"}' });
    expect(selection.BROKER_TOPICS).toEqual({ "task-events": "arn:aws:sns:x" });
  });
});
