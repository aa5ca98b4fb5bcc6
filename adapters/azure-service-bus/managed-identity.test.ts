import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { afterEach, describe, expect, it } from "vitest";
import { entraCredential } from "./managed-identity.js";

const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
afterEach(() => {
  for (const [name, value] of [
    ["IDENTITY_ENDPOINT", saved.endpoint],
    ["IDENTITY_HEADER", saved.header],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("Entra ID credential", () => {
  it("inside Container Apps asks the platform's identity endpoint for the app's own identity, through @azure/identity", async () => {
    // A stand-in for the endpoint Container Apps serves to each replica, on a free local port.
    const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      requests.push({ url: req.url ?? "", headers: req.headers });
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          access_token: "token-for-service-bus",
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: "https://servicebus.azure.net",
          token_type: "Bearer",
        }),
      );
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    try {
      process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
      process.env.IDENTITY_HEADER = "replica-secret";
      const credential = entraCredential("client-of-tasks");
      expect(credential).toBeInstanceOf(ManagedIdentityCredential);
      const token = await credential.getToken("https://servicebus.azure.net/.default");
      expect(token?.token).toBe("token-for-service-bus");
      const url = new URL(requests[0]?.url ?? "", "http://127.0.0.1");
      expect(url.searchParams.get("resource")).toBe("https://servicebus.azure.net");
      expect(url.searchParams.get("client_id")).toBe("client-of-tasks");
      expect(requests[0]?.headers["x-identity-header"]).toBe("replica-secret");
    } finally {
      server.close();
    }
  });

  it("outside Azure hosting falls back to DefaultAzureCredential (workload identity, az login)", () => {
    expect(entraCredential("client-1", {})).toBeInstanceOf(DefaultAzureCredential);
    expect(entraCredential(undefined, { IDENTITY_ENDPOINT: "http://127.0.0.1:1/" })).toBeInstanceOf(
      DefaultAzureCredential,
    );
  });
});
