import { describe, expect, it } from "vitest";
import { type ConfigReader, readStackSettings } from "./settings.js";

const reader =
  (values: Record<string, string>): ConfigReader =>
  (namespace, key) =>
    values[`${namespace}:${key}`];

describe("readStackSettings", () => {
  it("reads an AWS stack with its region and optional settings", () => {
    const settings = readStackSettings(
      reader({
        "taskflow:cloudProvider": "aws",
        "aws:region": "eu-west-1",
        "taskflow:imageTag": "2026.11.30-1",
        "taskflow:highAvailabilityNat": "true",
        "taskflow:cacheReplicas": "2",
        "taskflow:allowPlainHttp": "true",
      }),
      "prod",
    );
    expect(settings).toMatchObject({
      provider: "aws",
      appName: "taskflow-prod",
      placement: { region: "eu-west-1" },
      imageTag: "2026.11.30-1",
      highAvailabilityNat: true,
      cacheReplicas: 2,
      allowPlainHttp: true,
      logLevel: "info",
    });
  });

  it("switches to GCP with one value and then needs the GCP region and project", () => {
    expect(() =>
      readStackSettings(reader({ "taskflow:cloudProvider": "gcp", "aws:region": "eu-west-1" }), "dev"),
    ).toThrow(/gcp:region \(unset\)[\s\S]*gcp:project \(unset\)/);
    const settings = readStackSettings(
      reader({ "taskflow:cloudProvider": "gcp", "gcp:region": "europe-west1", "gcp:project": "acme-taskflow" }),
      "dev",
    );
    expect(settings.placement).toEqual({ region: "europe-west1", project: "acme-taskflow" });
  });

  it("switches to Azure with one value and then needs azure-native:location; a resource group is optional", () => {
    expect(() => readStackSettings(reader({ "taskflow:cloudProvider": "azure" }), "dev")).toThrow(
      /azure-native:location \(unset\): is required; set it with `pulumi config set azure-native:location <location>`/,
    );
    const own = readStackSettings(
      reader({ "taskflow:cloudProvider": "azure", "azure-native:location": "westeurope" }),
      "dev",
    );
    expect(own.placement).toEqual({ region: "westeurope" });
    const shared = readStackSettings(
      reader({
        "taskflow:cloudProvider": "azure",
        "azure-native:location": "westeurope",
        "taskflow:resourceGroup": "platform-rg",
      }),
      "dev",
    );
    expect(shared.placement).toEqual({ region: "westeurope", resourceGroup: "platform-rg" });
    expect(() =>
      readStackSettings(
        reader({ "taskflow:cloudProvider": "aws", "aws:region": "eu-west-1", "taskflow:resourceGroup": "platform-rg" }),
        "dev",
      ),
    ).toThrow(/taskflow:resourceGroup: is an Azure setting/);
  });

  it("reports every problem at once, naming the setting and how to set it", () => {
    const attempt = () =>
      readStackSettings(
        reader({
          "taskflow:cloudProvider": "aws",
          "aws:region": "eu-west-1",
          "taskflow:imageTag": "not a tag",
          "taskflow:cacheReplicas": "9",
          "taskflow:logLevel": "loud",
        }),
        "dev",
      );
    expect(attempt).toThrow(/3 problem\(s\)/);
    expect(attempt).toThrow(/taskflow:imageTag \("not a tag"\)/);
    expect(attempt).toThrow(/taskflow:cacheReplicas \("9"\)/);
    expect(attempt).toThrow(/pulumi config set taskflow:logLevel/);
  });

  it("names taskflow:cloudProvider and the accepted values when it is missing or wrong", () => {
    expect(() => readStackSettings(reader({}), "dev")).toThrow(
      /taskflow:cloudProvider \(unset\): must be one of aws, azure, gcp, kubernetes/,
    );
    expect(() => readStackSettings(reader({ "taskflow:cloudProvider": "heroku" }), "dev")).toThrow(
      /taskflow:cloudProvider \("heroku"\)/,
    );
  });

  it("refuses a certificate without the domain it is for", () => {
    expect(() =>
      readStackSettings(
        reader({
          "taskflow:cloudProvider": "aws",
          "aws:region": "eu-west-1",
          "taskflow:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        }),
        "dev",
      ),
    ).toThrow(/certificateArn: is set without taskflow:domain/);
  });
});
