import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";

/**
 * The Entra ID credential the adapter signs in with. Inside Azure Container Apps (or App
 * Service) the platform injects IDENTITY_ENDPOINT, and the stacks give each app one
 * user-assigned identity named by AZURE_CLIENT_ID, so the managed identity is asked directly.
 * Anywhere else DefaultAzureCredential tries, in its order, environment credentials, AKS
 * workload identity, managed identity and a developer's `az login`.
 */
export function entraCredential(clientId: string | undefined, env: NodeJS.ProcessEnv = process.env): TokenCredential {
  if (clientId && env.IDENTITY_ENDPOINT) return new ManagedIdentityCredential({ clientId });
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}
