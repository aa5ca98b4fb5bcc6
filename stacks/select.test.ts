import { describe, expect, it } from "vitest";
import { BUILT_PROVIDERS, selectPlatform } from "./select.js";

describe("selectPlatform", () => {
  it("loads the AWS, GCP and Kubernetes platforms", async () => {
    expect((await selectPlatform("aws")).provider).toBe("aws");
    expect((await selectPlatform("gcp")).provider).toBe("gcp");
    expect((await selectPlatform("kubernetes")).provider).toBe("kubernetes");
    expect(BUILT_PROVIDERS).toEqual(["aws", "gcp", "kubernetes"]);
  });

  it("names the setting and the accepted values for a provider that is not built yet", async () => {
    await expect(selectPlatform("azure")).rejects.toThrow(
      'taskflow:cloudProvider is "azure", whose components (components/azure/) are not built yet; accepted values: aws, gcp, kubernetes',
    );
  });

  it("names the setting and the accepted values for an unknown provider", async () => {
    await expect(selectPlatform("digitalocean")).rejects.toThrow(
      /taskflow:cloudProvider is "digitalocean", which is not a cloud provider; accepted values: aws, gcp, kubernetes/,
    );
  });
});
