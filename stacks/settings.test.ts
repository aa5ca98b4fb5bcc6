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
      target: { region: "eu-west-1", allowPlainHttp: true },
      imageTag: "2026.11.30-1",
      highAvailabilityNat: true,
      cacheReplicas: 2,
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
    expect(settings.target).toEqual({ region: "europe-west1", project: "acme-taskflow" });
  });

  it("switches to Azure with one value and then needs azure-native:location; a resource group is optional", () => {
    expect(() => readStackSettings(reader({ "taskflow:cloudProvider": "azure" }), "dev")).toThrow(
      /azure-native:location \(unset\): is required; set it with `pulumi config set azure-native:location <location>`/,
    );
    const own = readStackSettings(
      reader({ "taskflow:cloudProvider": "azure", "azure-native:location": "westeurope" }),
      "dev",
    );
    expect(own.target).toEqual({ location: "westeurope" });
    const shared = readStackSettings(
      reader({
        "taskflow:cloudProvider": "azure",
        "azure-native:location": "westeurope",
        "taskflow:resourceGroup": "platform-rg",
      }),
      "dev",
    );
    expect(shared.target).toEqual({ location: "westeurope", resourceGroup: "platform-rg" });
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

  it("reads a Kubernetes stack by its namespace and context, with no region to invent", () => {
    const settings = readStackSettings(
      reader({
        "taskflow:cloudProvider": "kubernetes",
        "taskflow:namespace": "tasks",
        "taskflow:kubeContext": "prod-cluster",
      }),
      "prod",
    );
    expect(settings.target).toMatchObject({ namespace: "tasks", context: "prod-cluster" });
    expect(settings.target).not.toHaveProperty("region");
  });

  it("reports the target's own problems beside the shared ones", () => {
    const attempt = () =>
      readStackSettings(
        reader({
          "taskflow:cloudProvider": "kubernetes",
          "taskflow:namespace": "Not_A_Label",
          "taskflow:logLevel": "loud",
        }),
        "dev",
      );
    expect(attempt).toThrow(/2 problem\(s\)/);
    expect(attempt).toThrow(/taskflow:namespace \(as set\): must be a DNS-1123 label/);
    expect(attempt).toThrow(/taskflow:logLevel \("loud"\)/);
  });

  it("refuses another target's setting by name instead of ignoring it", () => {
    expect(() =>
      readStackSettings(
        reader({
          "taskflow:cloudProvider": "gcp",
          "gcp:region": "europe-west1",
          "gcp:project": "acme-taskflow",
          "taskflow:domain": "tasks.example.com",
          "taskflow:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        }),
        "dev",
      ),
    ).toThrow(/taskflow:certificateArn: is an AWS setting; unset it for this cloud/);
    expect(() =>
      readStackSettings(
        reader({ "taskflow:cloudProvider": "azure", "azure-native:location": "westeurope", "taskflow:namespace": "x" }),
        "dev",
      ),
    ).toThrow(/taskflow:namespace: is a Kubernetes setting; unset it for this cloud/);
  });

  it("keeps the AWS certificate rule with AWS: an ACM ARN, for the domain", () => {
    const settings = readStackSettings(
      reader({
        "taskflow:cloudProvider": "aws",
        "aws:region": "eu-west-1",
        "taskflow:domain": "tasks.example.com",
        "taskflow:certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      }),
      "dev",
    );
    expect(settings.domain).toEqual({ name: "tasks.example.com" });
    expect(settings.target).toEqual({
      region: "eu-west-1",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
    });
    expect(() =>
      readStackSettings(
        reader({
          "taskflow:cloudProvider": "aws",
          "aws:region": "eu-west-1",
          "taskflow:domain": "tasks.example.com",
          "taskflow:certificateArn": "not-an-arn",
        }),
        "dev",
      ),
    ).toThrow(/taskflow:certificateArn \("not-an-arn"\): must be an ACM certificate ARN/);
  });
});
