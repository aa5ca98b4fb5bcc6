import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "adapters/**/*.test.ts",
      "services/**/*.test.ts",
      "components/**/*.test.ts",
      "stacks/**/*.test.ts",
      "scripts/**/*.test.ts",
      "web/**/*.test.ts",
      "policy/**/*.test.ts",
      "cost/**/*.test.ts",
    ],
    // Starts the SNS/SQS and Pub/Sub emulators for the run and hands their addresses to workers.
    globalSetup: ["scripts/test-servers.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real servers are shared by every file; a few files at a time keep a 2-core machine honest.
    maxWorkers: 2,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".taskflow/test-results.json" },
  },
});
