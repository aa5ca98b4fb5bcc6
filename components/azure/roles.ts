import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as pulumi from "@pulumi/pulumi";

/** Built-in role definition ids (the same in every tenant). */
export const ROLES = {
  acrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  serviceBusDataSender: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  serviceBusDataReceiver: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
} as const;

export type RoleName = keyof typeof ROLES;

/** The full id a role assignment names: the role under the subscription. */
export const roleDefinitionId = (subscriptionId: pulumi.Input<string>, role: RoleName) =>
  pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${ROLES[role]}`;

/** The role a definition id names, for reading a graph back; undefined for any other role. */
export function roleOf(definitionId: string): RoleName | undefined {
  const guid = definitionId.split("/").pop();
  return (Object.keys(ROLES) as RoleName[]).find((r) => ROLES[r] === guid);
}

/** One role for one managed identity on exactly one resource. */
export function assignRole(
  name: string,
  args: {
    subscriptionId: pulumi.Input<string>;
    principalId: pulumi.Input<string>;
    role: RoleName;
    scope: pulumi.Input<string>;
  },
  opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
  return new authorization.RoleAssignment(
    name,
    {
      principalId: args.principalId,
      // Without the type Azure looks the principal up in the directory, which fails for a
      // freshly created identity that has not replicated yet.
      principalType: "ServicePrincipal",
      roleDefinitionId: roleDefinitionId(args.subscriptionId, args.role),
      scope: args.scope,
    },
    opts,
  );
}
