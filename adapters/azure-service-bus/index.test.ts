import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { createBroker } from "../core/select.js";

describe("service bus adapter selection", () => {
  it("is what CLOUD_PROVIDER=azure builds, and reports an unreachable namespace as not ready", async () => {
    // Port 1 on this machine refuses connections: nothing leaves localhost.
    const broker = await createBroker({
      CLOUD_PROVIDER: "azure",
      SERVICEBUS_CONNECTION_STRING:
        "Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=k;UseDevelopmentEmulator=true;",
    });
    expect(broker.name).toBe("azure-service-bus");
    expect(await broker.ping()).toBe(false);
    await broker.close();
  });

  it("refuses to start with neither a connection string nor a namespace", async () => {
    await expect(createBroker({ BROKER: "azure-service-bus" })).rejects.toBeInstanceOf(ConfigError);
  });
});
