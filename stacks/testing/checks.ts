import { beforeAll, describe, expect, it } from "vitest";
import type { CloudProvider } from "../../components/api/platform.js";
import { at } from "../../components/testing/graph.js";
import type { RecordedResource } from "../../components/testing/mocks.js";
import { parseServiceEnv } from "../../services/kernel/env.js";
import { platform } from "../../services/platform.js";
import {
  type CloudReading,
  capabilityFacts,
  capabilityRows,
  expectedCapabilities,
  secretVariables,
} from "./capabilities.js";
import { BROKER_CREDENTIALS } from "./kubernetes-graph.js";
import { readStack } from "./read-stack.js";
import { runStack, type StackRun } from "./run-stack.js";

/**
 * Targets whose reader derives what each runtime opens from its environment (CloudReading.opened).
 * Kubernetes has two brokers (Kafka, RabbitMQ); its Kafka users are checked from the adapter's
 * environment in stacks/kubernetes-kafka-acl.test.ts.
 */
const OPENED_FROM_ENVIRONMENT: readonly CloudProvider[] = ["aws", "azure", "gcp"];

/** Every value the providers generated in this graph: passwords, AUTH strings, private keys. */
export function generatedSecrets(resources: readonly RecordedResource[]): string[] {
  const keys = ["result", "authString", "privateKeyPem", "privateKeyPemPkcs8"];
  return resources.flatMap((r) =>
    keys.map((k) => r.state[k]).filter((v): v is string => typeof v === "string" && v.length >= 16),
  );
}

export interface MockedStack {
  readonly run: StackRun;
  readonly reading: CloudReading;
}

/** Builds `provider`'s stack once for the enclosing describe block, under fresh mocks. */
export function useMockedStack(provider: CloudProvider): () => MockedStack {
  let stack: MockedStack | undefined;
  beforeAll(async () => {
    const run = await runStack(provider);
    stack = { run, reading: await readStack(run, platform) };
  }, 60_000);
  return () => {
    if (!stack)
      throw new Error("[taskflow] [testing] the mocked stack was not built; is this inside the describe block?");
    return stack;
  };
}

/** The environment a container of `service` starts with, secret references filled from the secret store. */
export function containerEnvironment(reading: CloudReading, service: string): Record<string, string> {
  const env = reading.environments[service];
  if (!env) throw new Error(`[taskflow] [testing] no container for service "${service}"`);
  // A broker user's password is written by the cluster's operator when it creates the user, so
  // no graph holds it; it gets a stand-in of its shape.
  const operatorMade = Object.fromEntries(
    env.secretNames
      .filter((name) => (BROKER_CREDENTIALS as readonly string[]).includes(name) && !(name in env.secretValues))
      .map((name) => [
        name,
        name === "RABBITMQ_URL" ? "amqp://user:operator-generated@broker:5672" : "operator-generated",
      ]),
  );
  const values = { ...operatorMade, ...env.secretValues };
  const missing = env.secretNames.filter((name) => values[name] === undefined);
  if (missing.length > 0)
    throw new Error(`[taskflow] [testing] ${service}: no stored secret behind ${missing.join(", ")}`);
  return { ...env.plain, ...values };
}

/** The DATABASE_URL the stack stores in its secret store (Secrets Manager, Secret Manager, Key Vault, a Kubernetes Secret). */
export function storedDatabaseUrl(run: StackRun): string {
  const urls = run.resources.flatMap((r) =>
    [
      r.inputs.secretString,
      r.inputs.secretData,
      at(r.inputs, "properties", "value"),
      at(r.inputs, "stringData", "value"),
    ].filter((v): v is string => typeof v === "string" && v.startsWith("postgres://")),
  );
  if (urls.length !== 1) throw new Error(`[taskflow] [testing] expected one stored database URL, found ${urls.length}`);
  return urls[0] as string;
}

/**
 * The checks every cloud must pass, whatever its resources are called: the capabilities
 * platform.ts asks for, the env contract, secrets kept out of plain values, least privilege.
 */
export function describePlatformChecks(provider: CloudProvider, stack: () => MockedStack): void {
  describe(`${provider}: what every cloud must provide`, () => {
    it("provides exactly the capabilities services/platform.ts declares (apart from its listed gaps)", () => {
      const { capabilities, gaps = {} } = stack().reading;
      expect(capabilityFacts(capabilities, gaps)).toEqual(capabilityFacts(expectedCapabilities(platform), gaps));
      // A gap names a real capability, so a typo cannot hide one.
      const subjects = new Set(capabilityRows(expectedCapabilities(platform)).map(([subject]) => subject));
      for (const subject of Object.keys(gaps)) expect(subjects.has(subject), subject).toBe(true);
    });

    it("runs one container service per declared service and no other", () => {
      expect(Object.keys(stack().reading.environments).sort()).toEqual(platform.services.map((s) => s.name).sort());
    });

    describe("env contract (services/kernel/env.ts)", () => {
      it.each(platform.services.map((s) => [s.name]))("what %s receives passes parseServiceEnv", (name) => {
        const env = parseServiceEnv(containerEnvironment(stack().reading, name));
        expect(env.SERVICE_NAME).toBe(name);
        expect(env.CLOUD_PROVIDER).toBe(provider);
        const declared = platform.services.find((s) => s.name === name);
        expect(env.PORT).toBe(declared?.port);
        expect(Object.keys(env.BROKER_TOPICS).sort()).toEqual([...(declared?.publishes ?? [])].sort());
        expect(Object.keys(env.BROKER_SUBSCRIPTIONS).sort()).toEqual([...(declared?.consumes ?? [])].sort());
      });

      it("fails validation when a required secret reference is missing (the check can fail)", () => {
        const env = containerEnvironment(stack().reading, "tasks");
        delete env.DATABASE_URL;
        expect(() => parseServiceEnv(env)).toThrow(/DATABASE_URL/);
      });

      it("passes DATABASE_URL, CACHE_URL and JWT_PRIVATE_KEY only as secret references", () => {
        // In a cluster each service also logs in to the broker as its own user, whose password is
        // a Secret too (on the clouds the service's IAM identity does that); counted apart.
        const brokerCredential = (name: string) => (BROKER_CREDENTIALS as readonly string[]).includes(name);
        for (const service of platform.services) {
          const env = stack().reading.environments[service.name];
          const stackSecrets = env?.secretNames.filter((n) => !brokerCredential(n));
          expect(stackSecrets?.slice().sort(), service.name).toEqual(secretVariables(service).sort());
          for (const name of ["DATABASE_URL", "CACHE_URL", "JWT_PRIVATE_KEY"]) {
            expect(env?.plain[name], `${service.name} ${name}`).toBeUndefined();
          }
        }
      });

      it("stores a DATABASE_URL that verifies the server's certificate, and hands the CA to each service that uses it", () => {
        const url = storedDatabaseUrl(stack().run);
        expect(new URL(url).searchParams.get("sslmode")).toMatch(/^verify-(ca|full)$/);
        for (const service of platform.services) {
          const env = { ...containerEnvironment(stack().reading, service.name) };
          if (!service.database) {
            expect(env, service.name).not.toHaveProperty("DATABASE_TLS_CA");
            continue;
          }
          expect(env.DATABASE_TLS_CA, service.name).toContain("BEGIN CERTIFICATE");
          // The real URL and the injected CA together pass the service's start-up validation.
          expect(parseServiceEnv({ ...env, DATABASE_URL: url }).DATABASE_TLS_CA).toBe(env.DATABASE_TLS_CA);
        }
      });

      it("never puts a generated password or key into a plain value", () => {
        const generated = generatedSecrets(stack().run.resources);
        // The database password, the cache's AUTH token and the signing key at least.
        expect(generated.length).toBeGreaterThanOrEqual(3);
        for (const env of Object.values(stack().reading.environments)) {
          for (const value of Object.values(env.plain)) {
            for (const secret of generated) expect(value).not.toContain(secret);
            expect(value).not.toContain("PRIVATE KEY");
          }
        }
      });
    });

    describe("what each service's runtime opens, read from its environment by its own adapter", () => {
      const fromEnvironment = OPENED_FROM_ENVIRONMENT.includes(provider);

      it("has a reading of what the runtime opens exactly where the target's reader provides one", () => {
        expect(stack().reading.opened !== undefined).toBe(fromEnvironment);
      });

      it.each(platform.services.map((s) => [s.name]))(
        fromEnvironment
          ? "%s: everything its runtime opens exists in the graph, and its identity is granted exactly that"
          : "%s: its identity is granted exactly what the declaration gives it (this target's brokers are read from the environment in its own test)",
        (name) => {
          const { grants, opened, ownResources } = stack().reading;
          const opens = (opened ? opened[name] : ownResources[name]) ?? [];
          expect(
            opens.filter((id) => id.startsWith("missing:")),
            `${name} opens what the graph lacks`,
          ).toEqual([]);
          const granted = grants[name] ?? [];
          for (const grant of granted)
            expect(grant.resource, `${name} is granted ${grant.access} on something else`).not.toMatch(/\*/);
          expect([...new Set(granted.map((g) => g.resource))].sort(), name).toEqual([...new Set(opens)].sort());
        },
      );

      it.for(platform.services.map((s) => s.name))(
        "%s: its network rules let it reach exactly the database and cache its environment names",
        (name, context) => {
          const { reaches, networkGap } = stack().reading;
          if (!reaches) {
            expect(networkGap, "a target without a network reading says why").toEqual(expect.stringMatching(/\S/));
            context.skip(networkGap);
            return;
          }
          const env = containerEnvironment(stack().reading, name);
          expect(reaches[name]).toEqual({ database: "DATABASE_URL" in env, cache: "CACHE_URL" in env });
        },
      );
    });

    it("exports the public URL, the registry and the physical broker names", () => {
      const { outputs } = stack().run;
      expect(String(outputs.publicUrl)).toMatch(/^https?:\/\//);
      // host/path: ECR "<account>.dkr.ecr.<region>.amazonaws.com/<repo>", Artifact Registry "<region>-docker.pkg.dev/<project>/<repo>"
      expect(String(outputs.registryUrl)).toMatch(/^[a-z0-9.-]+\.[a-z]+\/[\w./-]+$/);
      expect(Object.keys(outputs.topics as object).sort()).toEqual(platform.topics.map((t) => t.name).sort());
      expect(Object.keys(outputs.deadLetters as object).sort()).toEqual(
        platform.subscriptions.map((s) => s.name).sort(),
      );
    });
  });
}
