import { describe, expect, it } from "vitest";
import { BUILT_PROVIDERS, selectPlatform } from "./select.js";

describe("selectPlatform", () => {
  it("loads the AWS, Azure, GCP and Kubernetes platforms", async () => {
    expect((await selectPlatform("aws")).provider).toBe("aws");
    expect((await selectPlatform("azure")).provider).toBe("azure");
    expect((await selectPlatform("gcp")).provider).toBe("gcp");
    expect((await selectPlatform("kubernetes")).provider).toBe("kubernetes");
    expect(BUILT_PROVIDERS).toEqual(["aws", "azure", "gcp", "kubernetes"]);
  });

  it("names the setting and the accepted values for an unknown provider", async () => {
    await expect(selectPlatform("digitalocean")).rejects.toThrow(
      /taskflow:cloudProvider is "digitalocean", which is not a cloud provider; accepted values: aws, azure, gcp, kubernetes/,
    );
  });
});
