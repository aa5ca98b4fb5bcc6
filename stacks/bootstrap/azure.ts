import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as security from "@pulumi/azure-native/security/index.js";
import * as pulumi from "@pulumi/pulumi";
import { GITHUB_ISSUER, subjects, type TrustSettings } from "./settings.js";

/** Azure's built-in Contributor and User Access Administrator role definitions. */
const CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c4a72bc9";

/**
 * A user-assigned identity with one federated credential per allowed subject, which deploy.yml
 * signs in as through azure/login (client-id, tenant-id, subscription-id; no secret). Also turns
 * on Microsoft Defender for Containers for the subscription, which scans the images pushed to its
 * container registries: the scanning half of the policy pack's registry rule on Azure.
 */
export function azureTrust(name: string, subscriptionId: string, location: string, settings: TrustSettings) {
  const group = new resources.ResourceGroup(`${name}-identity`, { location });
  const identity = new managedidentity.UserAssignedIdentity(`${name}-deploy`, {
    resourceGroupName: group.name,
    location,
  });
  for (const [i, subject] of subjects(settings).entries())
    new managedidentity.FederatedIdentityCredential(`${name}-github-${i}`, {
      resourceGroupName: group.name,
      resourceName: identity.name,
      federatedIdentityCredentialResourceName: `github-${i}`,
      issuer: GITHUB_ISSUER,
      subject,
      audiences: ["api://AzureADTokenExchange"],
    });
  new security.Pricing(`${name}-defender-containers`, {
    pricingName: "Containers",
    pricingTier: "Standard",
    scopeId: `subscriptions/${subscriptionId}`,
  });
  const scope = `/subscriptions/${subscriptionId}`;
  for (const [role, id] of [
    ["contributor", CONTRIBUTOR],
    ["access", USER_ACCESS_ADMINISTRATOR],
  ] as const)
    new authorization.RoleAssignment(`${name}-deploy-${role}`, {
      scope,
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${id}`,
    });
  return { clientId: identity.clientId, tenantId: identity.tenantId, subscriptionId: pulumi.output(subscriptionId) };
}
