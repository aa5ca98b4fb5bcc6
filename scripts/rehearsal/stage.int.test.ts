import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "../../services/platform.js";
import { type StagedImage, stageImage } from "./stage.js";

/**
 * The staged image holds what the container holds and nothing else: each bundle loads every
 * module it imports from there and gets as far as the env contract, which refuses an empty
 * environment by name (a missing package or asset would stop it earlier, differently).
 */
describe("the image staged as the Dockerfile lays it out", () => {
  let image: StagedImage;
  beforeAll(async () => {
    image = await stageImage();
  }, 240_000);
  afterAll(() => image?.remove());

  it("takes the entrypoint and environment of the Dockerfile's runtime stage", () => {
    expect(image.entrypoint).toEqual(["node", "--enable-source-maps"]);
    expect(image.env).toEqual({ NODE_ENV: "production" });
    expect(existsSync(join(image.dir, "node_modules", "@pulumi"))).toBe(false);
    expect(existsSync(join(image.dir, "node_modules", "vitest"))).toBe(false);
  });

  it.each(SERVICE_NAMES.map((s) => [s]))("%s's bundle loads from it and stops only at the env contract", (service) => {
    const [node, ...flags] = image.entrypoint;
    const started = spawnSync(node as string, [...flags, `dist/services/${service}/main.js`], {
      cwd: image.dir,
      env: { ...image.env, PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(started.status).toBe(1);
    expect(started.stderr).toContain("[taskflow] [config] invalid configuration");
    expect(started.stderr).toContain("SERVICE_NAME (unset)");
    expect(started.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
  });
});
