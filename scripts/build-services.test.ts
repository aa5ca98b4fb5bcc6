import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServices, packageOf } from "./build-services.js";

const run = promisify(execFile);

describe("packageOf", () => {
  it("reduces import specifiers to package names", () => {
    expect(packageOf("@google-cloud/pubsub")).toBe("@google-cloud/pubsub");
    expect(packageOf("@opentelemetry/sdk-trace-node/build/x")).toBe("@opentelemetry/sdk-trace-node");
    expect(packageOf("pg")).toBe("pg");
    expect(packageOf("zod/v4")).toBe("zod");
  });
});

describe("buildServices", () => {
  // Inside the repository (in the ignored .taskflow/), so the bundle resolves zod from its node_modules.
  let dir: string;
  const write = async (path: string, text: string) => {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), text);
  };

  beforeAll(async () => {
    await mkdir(resolve(".taskflow"), { recursive: true });
    dir = await mkdtemp(resolve(".taskflow", "build-test-"));
    // Two modules that each find "./migrations/" beside themselves, as the services do.
    await write("src/tasks/migrations/001.sql", "create table tasks (id int);\n");
    await write("src/users/migrations/001.sql", "create table users (id int);\n");
    await write("src/users/migrations/002.sql", "create table orgs (id int);\n");
    for (const name of ["tasks", "users"]) {
      await write(`src/${name}/store.ts`, 'export const dir = new URL("./migrations/", import.meta.url);\n');
    }
    await write(
      "src/main.ts",
      [
        'import { readdirSync } from "node:fs";',
        'import { z } from "zod";',
        'import { dir as tasks } from "./tasks/store.js";',
        'import { dir as users } from "./users/store.js";',
        "console.log(z.string().parse([readdirSync(tasks).join(), readdirSync(users).join()].join(' ')));",
      ].join("\n"),
    );
    await write("package.json", JSON.stringify({ dependencies: { zod: "^4.0.0", "@pulumi/pulumi": "^3.0.0" } }));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("bundles an entry whose modules find their own migrations folders, and lists only imported packages", async () => {
    const out = join(dir, "dist");
    const result = await buildServices({
      entries: { tasks: join(dir, "src", "main.ts") },
      outDir: out,
      packageJson: join(dir, "package.json"),
      root: dir,
    });
    expect(result.bundles.tasks).toBe(join(out, "services", "tasks", "main.js"));
    expect(result.assets).toHaveLength(2);
    const { stdout } = await run(process.execPath, [join(out, "services", "tasks", "main.js")]);
    expect(stdout.trim()).toBe("001.sql 001.sql,002.sql");
    expect(
      (await stat(join(out, "services", "tasks", "assets", "src", "users", "migrations", "002.sql"))).isFile(),
    ).toBe(true);
    const generated = JSON.parse(await readFile(join(out, "package.json"), "utf8"));
    expect(generated.dependencies).toEqual({ zod: "^4.0.0" });
    expect(generated.type).toBe("module");
  });

  it("refuses a bundle that imports a package missing from dependencies", async () => {
    await write("src/bad.ts", 'import pino from "pino";\nconsole.log(pino);\n');
    await expect(
      buildServices({
        entries: { bad: join(dir, "src", "bad.ts") },
        outDir: join(dir, "dist2"),
        packageJson: join(dir, "package.json"),
        root: dir,
      }),
    ).rejects.toThrow(/the bundles import "pino", which is not in package.json dependencies/);
  });
});
