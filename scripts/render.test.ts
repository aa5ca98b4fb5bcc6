import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generatedSoFar } from "../components/testing/generated.js";
import { MOCK_CERT } from "../components/testing/mocks.js";
import { runStack } from "../components/testing/run-stack.js";
import { CORE_GROUPS, fileName, isCore, type Manifest, manifestsOf, validateCore } from "./manifests.js";
import { CA_PLACEHOLDER, render, stackConfig } from "./render.js";

describe("npm run render -- kubernetes", () => {
  let out: string;
  let written: string[];
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "tf-render-"));
    written = await render("kubernetes", out, "1.0.0");
  }, 60_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it("writes exactly the graph's objects, one file each, plus the operators' Helm releases", async () => {
    const config: Record<string, string> = { ...(await stackConfig("kubernetes")), "taskflow:imageTag": "1.0.0" };
    const { readStackSettings } = await import("../stacks/settings.js");
    const settings = readStackSettings((ns, key) => config[`${ns}:${key}`], "kubernetes");
    const { objects, releases } = manifestsOf((await runStack("kubernetes", settings, config)).resources);
    const files = (await readdir(out)).sort();
    expect(files).toEqual(written.slice().sort());
    expect(files).toEqual([...objects.map(fileName), ...(releases.length ? ["operators.helm.yaml"] : [])].sort());
    for (const m of objects) {
      const onDisk = parse(await readFile(join(out, fileName(m)), "utf8")) as Manifest;
      expect([onDisk.apiVersion, onDisk.kind, onDisk.metadata.name]).toEqual([m.apiVersion, m.kind, m.metadata.name]);
    }
    expect(objects.filter(isCore).length).toBeGreaterThan(40);
  });

  it("writes no generated secret value and no stand-in certificate", async () => {
    expect(generatedSoFar().length).toBeGreaterThan(0);
    for (const file of await readdir(out)) {
      const text = await readFile(join(out, file), "utf8");
      for (const secret of generatedSoFar()) expect(text, file).not.toContain(secret);
      expect(text, file).not.toContain(MOCK_CERT.split("\n")[1]);
    }
    const tasks = await readFile(join(out, "deployment-taskflow-kubernetes-tasks.yaml"), "utf8");
    expect(tasks).toContain(CA_PLACEHOLDER.split("\n")[1]);
  });

  it("validates with kubernetes-models, which rejects a malformed object (the check can fail)", async () => {
    await expect(
      validateCore({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "broken" },
        spec: { selector: {}, template: { spec: { containers: [{ name: "a", ports: [{ containerPort: "http" }] }] } } },
      }),
    ).rejects.toThrow(/Deployment broken is not valid: .*containerPort must be integer/);
    expect(CORE_GROUPS).toContain("networking.k8s.io/v1");
  });

  it("refuses a target without plain manifests, and a stack without an image, by name", async () => {
    await expect(render("aws", out)).rejects.toThrow(/only kubernetes renders/);
    await expect(render("kubernetes", join(out, "none"))).rejects.toThrow(/no image to run: pass --image-tag/);
  });
});
