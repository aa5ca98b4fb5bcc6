import { describe, expect, it } from "vitest";
import { TaskflowError } from "../core/errors.js";
import { ContainerAppsCredential } from "./managed-identity.js";

describe("Container Apps managed identity", () => {
  it("asks the identity endpoint for a Service Bus token with the identity header", async () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const fetchImpl = (async (url: URL, init: RequestInit) => {
      calls.push({ url: url.toString(), headers: init.headers as Record<string, string> });
      return new Response(JSON.stringify({ access_token: "tok", expires_on: "1900000000" }), { status: 200 });
    }) as unknown as typeof fetch;
    const credential = new ContainerAppsCredential(
      { endpoint: "http://localhost:42356/msi/token", header: "secret-header", clientId: "c-1" },
      fetchImpl,
    );
    const token = await credential.getToken("https://servicebus.azure.net//.default");
    expect(token).toEqual({ token: "tok", expiresOnTimestamp: 1_900_000_000_000 });
    const url = new URL(calls[0]!.url);
    expect(url.searchParams.get("resource")).toBe("https://servicebus.azure.net/");
    expect(url.searchParams.get("api-version")).toBe("2019-08-01");
    expect(url.searchParams.get("client_id")).toBe("c-1");
    expect(calls[0]?.headers["X-IDENTITY-HEADER"]).toBe("secret-header");
  });

  it("fails with a typed error naming the status when the endpoint refuses", async () => {
    const fetchImpl = (async () => new Response("identity not found", { status: 400 })) as unknown as typeof fetch;
    const credential = new ContainerAppsCredential({ endpoint: "http://localhost:1/token", header: "h" }, fetchImpl);
    const error = await credential
      .getToken("https://servicebus.azure.net//.default")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TaskflowError);
    expect((error as Error).message).toBe(
      '[taskflow] [azure-service-bus] managed identity endpoint answered 400 for "https://servicebus.azure.net/": identity not found',
    );
  });
});
