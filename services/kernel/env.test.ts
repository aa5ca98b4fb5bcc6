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
