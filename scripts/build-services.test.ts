import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServices, packageOf } from "./build-services.js";

describe("packageOf", () => {
  it("reduces import specifiers to package names", () => {
    expect(packageOf("@google-cloud/pubsub")).toBe("@google-cloud/pubsub");
    expect(packageOf("@opentelemetry/sdk-trace-node/build/x")).toBe("@opentelemetry/sdk-trace-node");
    expect(packageOf("pg")).toBe("pg");
    expect(packageOf("zod/v4")).toBe("zod");
  });
});

describe("buildServices", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-build-"));
    await mkdir(join(dir, "src", "lib", "migrations"), { recursive: true });
    await writeFile(join(dir, "src", "lib", "migrations", "001.sql"), "create table t (id int);\n");
    await writeFile(
      join(dir, "src", "lib", "store.ts"),
      'import { z } from "zod";\nexport const dir = new URL("./migrations/", import.meta.url);\nexport const id = z.string();\n',
    );
    await writeFile(
      join(dir, "src", "main.ts"),
      'import { readdirSync } from "node:fs";\nimport { dir } from "./lib/store.js";\nconsole.log(readdirSync(dir).join(","));\n',
    );
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({ dependencies: { zod: "^4.0.0", "@pulumi/pulumi": "^3.0.0" }, engines: { node: ">=22" } }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("bundles an entry, copies the folders it locates by import.meta.url, and lists only imported packages", async () => {
    const out = join(dir, "dist");
    const result = await buildServices({
      entries: { tasks: join(dir, "src", "main.ts") },
      outDir: out,
      packageJson: join(dir, "package.json"),
    });
    expect(result.bundles.tasks).toBe(join(out, "services", "tasks", "main.js"));
    // The bundle lives in dist/services/tasks/, so "./migrations/" must be there too.
    expect((await stat(join(out, "services", "tasks", "migrations", "001.sql"))).isFile()).toBe(true);
    const generated = JSON.parse(await readFile(join(out, "package.json"), "utf8"));
    expect(generated.dependencies).toEqual({ zod: "^4.0.0" });
    expect(generated.type).toBe("module");
  });

  it("refuses a bundle that imports a package missing from dependencies", async () => {
    await writeFile(join(dir, "src", "bad.ts"), 'import pino from "pino";\nconsole.log(pino);\n');
    await expect(
      buildServices({
        entries: { bad: join(dir, "src", "bad.ts") },
        outDir: join(dir, "dist2"),
        packageJson: join(dir, "package.json"),
      }),
    ).rejects.toThrow(/the bundles import "pino", which is not in package.json dependencies/);
  });
});
