import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { readServiceBusConfig } from "./config.js";

const CONNECTION = "Endpoint=sb://taskflow.servicebus.windows.net/;SharedAccessKeyName=app;SharedAccessKey=c2VjcmV0";

function problems(env: Record<string, string>): string {
  try {
    readServiceBusConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.join("\n");
  }
  throw new Error("expected a ConfigError");
}

describe("service bus config", () => {
  it("prefers a connection string", () => {
    const config = readServiceBusConfig({ SERVICEBUS_CONNECTION_STRING: CONNECTION, SERVICEBUS_NAMESPACE: "other" });
    expect(config.auth).toEqual({ kind: "connection-string", connectionString: CONNECTION });
    const emulator = readServiceBusConfig({
      SERVICEBUS_CONNECTION_STRING: CONNECTION,
      SERVICEBUS_ADMIN_CONNECTION_STRING: CONNECTION.replace("windows.net/", "windows.net:5300/"),
    });
    expect(emulator.auth).toMatchObject({ adminConnectionString: expect.stringContaining(":5300/") });
    expect(config.autoCreate).toBe(true);
    expect(config.maxLockRenewalMs).toBe(300_000);
  });

  it("takes a namespace with a shared access key, qualifying a bare namespace name", () => {
    const config = readServiceBusConfig({
      SERVICEBUS_NAMESPACE: "taskflow-prod",
      SERVICEBUS_SAS_KEY_NAME: "app",
      SERVICEBUS_SAS_KEY: "k",
    });
    expect(config.auth).toEqual({
      kind: "shared-key",
      namespace: "taskflow-prod.servicebus.windows.net",
      keyName: "app",
      key: "k",
    });
  });

  it("signs in with Entra ID when no key is given, as the identity AZURE_CLIENT_ID names", () => {
    const config = readServiceBusConfig({
      SERVICEBUS_NAMESPACE: "taskflow-prod.servicebus.windows.net",
      AZURE_CLIENT_ID: "client-1",
      BROKER_TOPICS: '{"task-events":"task-events"}',
    });
    expect(config.auth).toEqual({
      kind: "entra-id",
      namespace: "taskflow-prod.servicebus.windows.net",
      clientId: "client-1",
    });
    expect(config.autoCreate).toBe(false);
    expect(readServiceBusConfig({ SERVICEBUS_NAMESPACE: "taskflow-prod" }).auth).toEqual({
      kind: "entra-id",
      namespace: "taskflow-prod.servicebus.windows.net",
    });
  });

  it("creates nothing for a consumer-only service whose subscriptions the stacks own", () => {
    const config = readServiceBusConfig({
      SERVICEBUS_NAMESPACE: "taskflow-prod",
      BROKER_SUBSCRIPTIONS: '{"gateway-identity-events":"identity-events/Subscriptions/gateway-identity-events"}',
    });
    expect(config.autoCreate).toBe(false);
  });

  it("refuses a missing namespace, naming what to set", () => {
    expect(problems({})).toMatch(/SERVICEBUS_NAMESPACE \(unset\): is required/);
  });

  it("never shows a key or connection string in its errors", () => {
    const text = problems({ SERVICEBUS_CONNECTION_STRING: "not-a-connection-string-secret" });
    expect(text).toMatch(/SERVICEBUS_CONNECTION_STRING \("\*\*\*"\)/);
    expect(text).not.toContain("secret");
    expect(problems({ SERVICEBUS_NAMESPACE: "ns", SERVICEBUS_SAS_KEY: "hunter2" })).toMatch(
      /SERVICEBUS_SAS_KEY_NAME \(unset\): is required with a shared access key/,
    );
  });
});
