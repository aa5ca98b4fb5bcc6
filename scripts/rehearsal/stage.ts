import { spawnSync } from "node:child_process";
import { copyFile, cp, mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVICE_NAMES } from "../../services/platform.js";
import { buildServices } from "../build-services.js";

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
}

const REPO = resolve(fileURLToPath(new URL("../..", import.meta.url)));

export async function stageImage(): Promise<StagedImage> {
  const build = await mkdtemp(join(tmpdir(), "taskflow-image-build-"));
  const entries = Object.fromEntries(SERVICE_NAMES.map((s) => [s, join(REPO, "services", "main.ts")]));
  await buildServices({ entries, outDir: join(build, "dist"), packageJson: join(REPO, "package.json"), root: REPO });
  const app = await mkdtemp(join(tmpdir(), "taskflow-image-app-"));
  await copyFile(join(build, "dist", "package.json"), join(app, "package.json"));
  await copyFile(join(REPO, "package-lock.json"), join(app, "package-lock.json"));
  const installed = spawnSync(
    "npm",
    ["install", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
    { cwd: app, encoding: "utf8" },
  );
  if (installed.status !== 0)
    throw new Error(`[taskflow] [rehearsal] npm install --omit=dev failed: ${installed.stderr || installed.error}`);
  await mkdir(join(app, "dist"), { recursive: true });
  await cp(join(build, "dist", "services"), join(app, "dist", "services"), { recursive: true });
  return { dir: app, ...(await runtimeStage()) };
}

/** ENTRYPOINT and ENV lines of the Dockerfile's last stage. */
async function runtimeStage(): Promise<{ entrypoint: string[]; env: Record<string, string> }> {
  const text = await readFile(join(REPO, "Dockerfile"), "utf8");
  const last = text.slice(text.lastIndexOf("\nFROM "));
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(last)?.[1] ?? "[]") as string[];
  const env = Object.fromEntries([...last.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  return { entrypoint, env };
}
