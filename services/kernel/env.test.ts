import { describe, expect, it } from "vitest";
import { ConfigError } from "../../adapters/core/errors.js";
import { parseServiceEnv } from "./env.js";

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    parseServiceEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe("env contract", () => {
  it("runs a service locally with nothing but its name", () => {
    const env = parseServiceEnv({ SERVICE_NAME: "tasks" });
    expect(env.CLOUD_PROVIDER).toBe("local");
    expect(env.CACHE_MODE).toBe("degrade");
  });

  it("lists every missing setting of a cloud deployment at once, by name", () => {
    const problems = problemsOf({ SERVICE_NAME: "tasks", CLOUD_PROVIDER: "aws" });
    const names = problems.map((p) => p.split(" ")[0]);
    expect(names).toEqual(
      expect.arrayContaining([
        "PORT",
        "DATABASE_URL",
        "CACHE_URL",
        "AWS_REGION",
        "JWT_JWKS_URL",
        "BROKER_TOPICS",
        "BROKER_SUBSCRIPTIONS",
      ]),
    );
  });

  it("still reports the missing settings when another one is malformed", () => {
    const problems = problemsOf({ SERVICE_NAME: "tasks", CLOUD_PROVIDER: "gcp", PORT: "seventy", BROKER_TOPICS: "[" });
    expect(problems.some((p) => p.startsWith("PORT"))).toBe(true);
    expect(problems.some((p) => p.startsWith("BROKER_TOPICS") && p.includes("JSON object"))).toBe(true);
    expect(problems.some((p) => p.startsWith("GCP_PROJECT"))).toBe(true);
    expect(problems.some((p) => p.startsWith("DATABASE_URL"))).toBe(true);
  });

  it("refuses a bad rate limit and never echoes a secret", () => {
    const problems = problemsOf({
      SERVICE_NAME: "gateway",
      TASKFLOW_RATE_LIMIT_PER_MINUTE: "-3",
      CACHE_URL: "http://:hunter2@cache",
    });
    expect(problems.some((p) => p.startsWith("TASKFLOW_RATE_LIMIT_PER_MINUTE"))).toBe(true);
    expect(problems.join("\n")).not.toContain("hunter2");
  });
});

describe("env contract: DATABASE_TLS_CA", () => {
  const CA = "-----BEGIN CERTIFICATE-----\nTU9DSw==\n-----END CERTIFICATE-----\n";
  const server = (sslmode: string) => `postgres://taskflow:hunter2@10.1.0.3:5432/taskflow?sslmode=${sslmode}`;

  it.each(["verify-ca", "verify-full"])("accepts the server's CA with sslmode=%s", (sslmode) => {
    const env = parseServiceEnv({ SERVICE_NAME: "tasks", DATABASE_URL: server(sslmode), DATABASE_TLS_CA: CA });
    expect(env.DATABASE_TLS_CA).toBe(CA);
  });

  it("accepts sslmode=verify-full without the CA: the server's certificate must chain to a root Node trusts", () => {
    const env = parseServiceEnv({ SERVICE_NAME: "tasks", DATABASE_URL: server("verify-full") });
    expect(env.DATABASE_TLS_CA).toBeUndefined();
  });

  it("refuses sslmode=verify-ca without the CA, and says to give the CA or use verify-full", () => {
    const problems = problemsOf({ SERVICE_NAME: "tasks", DATABASE_URL: server("verify-ca") });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_TLS_CA .*is required when DATABASE_URL has sslmode=verify-ca/);
    expect(problems[0]).toMatch(/or use sslmode=verify-full/);
    expect(problems[0]).not.toContain("hunter2");
  });

  it.each(["no-verify", "require"])("refuses the CA with sslmode=%s, which does not check the certificate", (mode) => {
    const problems = problemsOf({ SERVICE_NAME: "tasks", DATABASE_URL: server(mode), DATABASE_TLS_CA: CA });
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^DATABASE_TLS_CA .*DATABASE_URL has sslmode=${mode}.*use sslmode=verify-full`)),
    ]);
  });

  it("refuses the CA beside an embedded database or no DATABASE_URL", () => {
    for (const env of [{ DATABASE_URL: "pglite:memory" }, {}] as Record<string, string>[]) {
      const problems = problemsOf({ SERVICE_NAME: "tasks", DATABASE_TLS_CA: CA, ...env });
      expect(problems).toEqual([expect.stringMatching(/^DATABASE_TLS_CA .*DATABASE_URL is not a postgres:\/\/ URL/)]);
    }
  });

  it("refuses a value that is not a PEM certificate, with the other problems at once", () => {
    const problems = problemsOf({
      SERVICE_NAME: "tasks",
      CLOUD_PROVIDER: "gcp",
      DATABASE_URL: server("verify-ca"),
      DATABASE_TLS_CA: "not a certificate",
    });
    expect(problems.some((p) => p.startsWith("DATABASE_TLS_CA") && p.includes("PEM certificate"))).toBe(true);
    expect(problems.some((p) => p.startsWith("GCP_PROJECT"))).toBe(true);
  });
});
