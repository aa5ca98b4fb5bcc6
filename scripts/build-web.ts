import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

/**
 * Builds the web app into `web/dist` when it is missing or stale: the build records a digest
 * of every input (sources, index.html, the Vite config, the lockfile) and is redone only when
 * that digest changes. `npm start` runs this first, so one command always serves the current
 * app; `--force` builds regardless.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB = join(ROOT, "web");
export const WEB_DIST = join(WEB, "dist");
const STAMP = join(WEB_DIST, ".inputs");

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else if (!entry.name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

export async function inputsDigest(): Promise<string> {
  const inputs = [
    ...(await files(join(WEB, "src"))),
    join(WEB, "index.html"),
    join(WEB, "vite.config.ts"),
    join(ROOT, "package-lock.json"),
  ].sort();
  const hash = createHash("sha256");
  for (const path of inputs)
    hash
      .update(relative(ROOT, path))
      .update("\0")
      .update(await readFile(path))
      .update("\0");
  return hash.digest("hex");
}

/** Builds when needed; resolves to whether it built. */
export async function buildWeb(options: { force?: boolean; quiet?: boolean } = {}): Promise<boolean> {
  const digest = await inputsDigest();
  const current = existsSync(STAMP) ? (await readFile(STAMP, "utf8")).trim() : "";
  if (!options.force && current === digest && existsSync(join(WEB_DIST, "index.html"))) return false;
  await build({
    configFile: join(WEB, "vite.config.ts"),
    logLevel: options.quiet ? "error" : "info",
  });
  await writeFile(STAMP, `${digest}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildWeb({ force: process.argv.includes("--force"), quiet: !process.argv.includes("--verbose") });
  process.stdout.write(
    built ? "taskflow web app built into web/dist\n" : "taskflow web app is up to date (web/dist)\n",
  );
}
