/**
 * Bundles each service for the container image: one ESM bundle per service in
 * dist/services/<name>/main.js, the folders its code locates with `new URL("...", import.meta.url)`
 * (SQL migrations, the web app's build) copied beside it under assets/, and dist/package.json listing only the npm
 * packages the bundles import, so the image installs runtime dependencies and nothing else (no
 * Pulumi, no test tools).
 *
 *   npx tsx scripts/build-services.ts            # every service in services/platform.ts
 *
 * Entry per service: services/<name>/main.ts, or else the shared services/main.ts (which picks
 * the service from SERVICE_NAME).
 */
import { cp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile, type Plugin } from "esbuild";
import { buildWeb } from "./build-web.js";

export interface BuildOptions {
  /** Service name → entry file. */
  readonly entries: Readonly<Record<string, string>>;
  readonly outDir: string;
  /** Root package.json whose versions the generated one copies. */
  readonly packageJson: string;
  /** Asset folders are placed under assets/<path relative to this>. @default the current directory */
  readonly root?: string;
}

export interface BuildResult {
  readonly bundles: Record<string, string>;
  /** Runtime dependencies with the version ranges from the root package.json. */
  readonly dependencies: Record<string, string>;
  /** Asset folders copied, as "source -> destination". */
  readonly assets: string[];
}

const ASSET_URL = /new URL\(\s*["'`](\.{1,2}\/[^"'`]*)["'`]\s*,\s*import\.meta\.url\s*\)/g;
const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** "@scope/pkg/sub/path" → "@scope/pkg"; "pkg/sub" → "pkg". */
export function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string);
}

export async function buildServices(options: BuildOptions): Promise<BuildResult> {
  const root = JSON.parse(await readFile(options.packageJson, "utf8")) as {
    dependencies?: Record<string, string>;
    engines?: Record<string, string>;
  };
  await rm(options.outDir, { recursive: true, force: true });
  const bundles: Record<string, string> = {};
  const external = new Set<string>();
  const assets: string[] = [];

  for (const [service, entry] of Object.entries(options.entries)) {
    const outfile = join(options.outDir, "services", service, "main.js");
    const found = new Map<string, string>();
    const result = await build({
      plugins: [relocateAssets(resolve(options.root ?? "."), found)],
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      sourcemap: true,
      // npm packages stay as imports and are installed in the image; our own code is bundled.
      packages: "external",
      metafile: true,
      logLevel: "warning",
      // CommonJS packages imported from ESM still expect require().
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    });
    bundles[service] = outfile;
    for (const specifier of importsOf(result.metafile))
      if (!BUILTINS.has(specifier)) external.add(packageOf(specifier));
    for (const [source, path] of found) {
      const target = join(dirname(outfile), path);
      await mkdir(dirname(target), { recursive: true });
      await cp(source, target, { recursive: true });
      assets.push(`${relative(".", source)} -> ${relative(".", target)}`);
    }
  }

  const dependencies: Record<string, string> = {};
  for (const name of [...external].sort()) {
    const version = root.dependencies?.[name];
    if (!version) {
      throw new Error(
        `[taskflow] [build] the bundles import "${name}", which is not in package.json dependencies; add it there (not devDependencies)`,
      );
    }
    dependencies[name] = version;
  }
  await writeFile(
    join(options.outDir, "package.json"),
    `${JSON.stringify({ name: "taskflow-services", private: true, type: "module", engines: root.engines, dependencies }, null, 2)}\n`,
  );
  return { bundles, dependencies, assets };
}

function importsOf(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external).map((i) => i.path),
  );
}

/**
 * Code that finds files relative to its own module (`new URL("./migrations/", import.meta.url)`)
 * would look beside the bundle once bundled, where every service's "./migrations/" would land
 * in the same place. Each such URL is rewritten to `./assets/<path of the folder in the repo>`,
 * unique per source folder, and `found` records what to copy there.
 */
function relocateAssets(root: string, found: Map<string, string>): Plugin {
  return {
    name: "relocate-import-meta-assets",
    setup(esbuild) {
      esbuild.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (args.path.includes("node_modules")) return undefined;
        const text = await readFile(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const contents = text.replace(ASSET_URL, (_match, rel: string) => {
          const source = resolve(dirname(args.path), rel);
          const path = join("assets", relative(root, source));
          if (path.split(/[\\/]/).includes("..")) {
            throw new Error(`[taskflow] [build] ${args.path} locates ${rel}, outside ${root}`);
          }
          found.set(source, path);
          return `new URL(${JSON.stringify(`./${path}${rel.endsWith("/") ? "/" : ""}`)}, import.meta.url)`;
        });
        return { contents, loader: "ts" };
      });
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function main(): Promise<void> {
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const { SERVICE_NAMES } = await import("../services/platform.js");
  const shared = join(repo, "services", "main.ts");
  const entries: Record<string, string> = {};
  const missing: string[] = [];
  for (const service of SERVICE_NAMES) {
    const own = join(repo, "services", service, "main.ts");
    if (await exists(own)) entries[service] = own;
    else if (await exists(shared)) entries[service] = shared;
    else missing.push(`services/${service}/main.ts`);
  }
  if (missing.length > 0) {
    throw new Error(
      `[taskflow] [build] no process entry point for: ${missing.join(", ")} (and no shared services/main.ts)`,
    );
  }
  // The gateway serves the web app from its build, which the bundler copies beside it.
  if (await buildWeb({ quiet: true })) console.log("built the web app into web/dist");
  const result = await buildServices({
    entries,
    outDir: join(repo, "dist"),
    packageJson: join(repo, "package.json"),
    root: repo,
  });
  console.log(`bundled ${Object.keys(result.bundles).length} services into dist/services/<name>/main.js`);
  console.log(`runtime dependencies: ${Object.keys(result.dependencies).join(", ") || "none"}`);
  for (const asset of result.assets) console.log(`copied ${asset}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
