import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, readFile, rename, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVICE_NAMES } from "../../services/platform.js";
import { buildServices } from "../build-services.js";
import { buildWeb } from "../build-web.js";

/**
 * The image's /app as the Dockerfile lays it out, in a folder of its own: the per-service
 * bundles under dist/services/, dist/package.json as package.json, the lock file, and the
 * packages `npm install --omit=dev` puts beside them. Nothing of the repository is reachable
 * from there, so a file the image lacks fails here as it would in the container.
 */
export interface StagedImage {
  readonly dir: string;
  /** ENTRYPOINT and ENV of the Dockerfile's runtime stage. */
  readonly entrypoint: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Removes the staged folder (the shared install cache stays). */
  remove(): Promise<void>;
}

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/**
 * Installed runtime packages, one folder per content hash of (package.json, lock file): the
 * same inputs give the same `npm install --omit=dev`, so later stagings link to it instead of
 * installing again.
 */
const INSTALL_CACHE = join(REPO, ".taskflow", "image-modules");

export async function stageImage(): Promise<StagedImage> {
  const build = await mkdtemp(join(tmpdir(), "taskflow-image-build-"));
  const app = await mkdtemp(join(tmpdir(), "taskflow-image-app-"));
  try {
    // As the Dockerfile's build stage: the web app first (skipped when its inputs are unchanged), since the gateway's bundle carries it.
    await buildWeb({ quiet: true });
    const entries = Object.fromEntries(SERVICE_NAMES.map((s) => [s, join(REPO, "services", "main.ts")]));
    await buildServices({ entries, outDir: join(build, "dist"), packageJson: join(REPO, "package.json"), root: REPO });
    await copyFile(join(build, "dist", "package.json"), join(app, "package.json"));
    await copyFile(join(REPO, "package-lock.json"), join(app, "package-lock.json"));
    const modules = await installedModules(app);
    await symlink(modules, join(app, "node_modules"), "dir");
    await mkdir(join(app, "dist"), { recursive: true });
    await cp(join(build, "dist", "services"), join(app, "dist", "services"), { recursive: true });
  } catch (error) {
    await rm(app, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(build, { recursive: true, force: true });
  }
  return { dir: app, ...(await runtimeStage()), remove: () => rm(app, { recursive: true, force: true }) };
}

/** node_modules of `npm install --omit=dev` for the package.json and lock file in `app`, from the cache when present. */
async function installedModules(app: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of ["package.json", "package-lock.json"]) hash.update(await readFile(join(app, file)));
  const cached = join(INSTALL_CACHE, hash.digest("hex").slice(0, 16));
  if (existsSync(join(cached, "node_modules"))) return join(cached, "node_modules");
  await mkdir(INSTALL_CACHE, { recursive: true });
  const work = await mkdtemp(join(INSTALL_CACHE, "installing-"));
  try {
    for (const file of ["package.json", "package-lock.json"]) await copyFile(join(app, file), join(work, file));
    // The lock file pins every version, so npm's local cache (filled by `npm ci`) usually has them all.
    const installed = spawnSync(
      "npm",
      ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
      { cwd: work, encoding: "utf8" },
    );
    if (installed.status !== 0)
      throw new Error(`[taskflow] [rehearsal] npm install --omit=dev failed: ${installed.stderr || installed.error}`);
    // Another run may have finished the same install first; either copy will do.
    await rename(work, cached).catch(() => rm(work, { recursive: true, force: true }));
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
  return join(cached, "node_modules");
}

/** ENTRYPOINT and ENV lines of the Dockerfile's last stage. */
async function runtimeStage(): Promise<{ entrypoint: string[]; env: Record<string, string> }> {
  const text = await readFile(join(REPO, "Dockerfile"), "utf8");
  const last = text.slice(text.lastIndexOf("\nFROM "));
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(last)?.[1] ?? "[]") as string[];
  const env = Object.fromEntries([...last.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  return { entrypoint, env };
}
