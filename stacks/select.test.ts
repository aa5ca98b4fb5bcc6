import { describe, expect, it } from "vitest";
import { BUILT_PROVIDERS, builtTargets, selectPlatform } from "./select.js";

const readerOf = (values: Readonly<Record<string, string>>) => (namespace: string, key: string) =>
  values[`${namespace}:${key}`];

describe("selectPlatform", () => {
  it("loads the AWS, Azure, GCP and Kubernetes platforms from each target's own settings", async () => {
    expect(BUILT_PROVIDERS).toEqual(["aws", "azure", "gcp", "kubernetes"]);
    for (const target of builtTargets()) {
      const own = target.readSettings(readerOf(target.exampleConfig), {});
      expect(own.problems, target.provider).toBeUndefined();
      expect((await selectPlatform(target.provider, own.settings)).provider).toBe(target.provider);
    }
  });

  it("names the setting and the accepted values for an unknown provider", async () => {
    await expect(selectPlatform("digitalocean", {})).rejects.toThrow(
      /taskflow:cloudProvider is "digitalocean", which is not a cloud provider; accepted values: aws, azure, gcp, kubernetes/,
    );
  });
});
