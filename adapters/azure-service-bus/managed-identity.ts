import type { TokenCredential } from "@azure/service-bus";
import { TaskflowError } from "../core/errors.js";

type AccessToken = NonNullable<Awaited<ReturnType<TokenCredential["getToken"]>>>;

export interface ContainerAppsIdentity {
  /** `IDENTITY_ENDPOINT`, injected by Azure Container Apps. */
  readonly endpoint: string;
  /** `IDENTITY_HEADER`, injected by Azure Container Apps; proves the call comes from the app. */
  readonly header: string;
  /** A user-assigned identity's client id; the system-assigned identity when unset. */
  readonly clientId?: string;
}

/**
 * A token credential for the managed identity of an Azure Container App, using the local
 * identity endpoint the platform injects (api-version 2019-08-01). It is the one case of
 * `DefaultAzureCredential` a deployed TaskFlow container needs, in a few lines instead of a
 * dependency; the SDK caches the token and asks again before it expires.
 */
export class ContainerAppsCredential implements TokenCredential {
  constructor(
    private readonly identity: ContainerAppsIdentity,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    const resource = (scope ?? "https://servicebus.azure.net/.default").replace(/\/\.default$/, "");
    const url = new URL(this.identity.endpoint);
    url.searchParams.set("resource", resource);
    url.searchParams.set("api-version", "2019-08-01");
    if (this.identity.clientId) url.searchParams.set("client_id", this.identity.clientId);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        headers: { "X-IDENTITY-HEADER": this.identity.header },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new TaskflowError("azure-service-bus", "cannot reach the managed identity endpoint", { cause: error });
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => "")).slice(0, 200);
      throw new TaskflowError(
        "azure-service-bus",
        `managed identity endpoint answered ${response.status} for "${resource}"${detail ? `: ${detail}` : ""}`,
      );
    }
    const body = (await response.json()) as { access_token?: string; expires_on?: string | number };
    if (!body.access_token || body.expires_on === undefined) {
      throw new TaskflowError("azure-service-bus", "managed identity endpoint answered without a token");
    }
    return { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
  }
}
