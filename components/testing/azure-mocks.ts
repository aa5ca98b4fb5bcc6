import { createHash, randomBytes } from "node:crypto";

/** The subscription and tenant a mocked Azure deployment signs in to. */
export const MOCK_SUBSCRIPTION = "00000000-0000-4000-8000-000000000001";
export const MOCK_TENANT = "00000000-0000-4000-8000-0000000000aa";
export const MOCK_AZURE_LOCATION = "westeurope";

type Inputs = Record<string, unknown>;
const text = (value: unknown) => (typeof value === "string" ? value : "");

/** A GUID derived from `seed`, so identities and workspaces get stable, distinct ids. */
export function mockGuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Where each resource type sits under its resource group, and the input that names it; the
 * nested ones (subnets, topics, secrets) name their parents from their own inputs too.
 */
const ARM: Record<string, { readonly key: string; readonly path: (inputs: Inputs, name: string) => string }> = {
  "keyvault:Vault": { key: "vaultName", path: (_, n) => `Microsoft.KeyVault/vaults/${n}` },
  "keyvault:Secret": {
    key: "secretName",
    path: (i, n) => `Microsoft.KeyVault/vaults/${text(i.vaultName)}/secrets/${n}`,
  },
  "network:VirtualNetwork": { key: "virtualNetworkName", path: (_, n) => `Microsoft.Network/virtualNetworks/${n}` },
  "network:Subnet": {
    key: "subnetName",
    path: (i, n) => `Microsoft.Network/virtualNetworks/${text(i.virtualNetworkName)}/subnets/${n}`,
  },
  "network:FlowLog": {
    key: "flowLogName",
    path: (i, n) => `Microsoft.Network/networkWatchers/${text(i.networkWatcherName)}/flowLogs/${n}`,
  },
  "storage:StorageAccount": { key: "accountName", path: (_, n) => `Microsoft.Storage/storageAccounts/${n}` },
  "network:PrivateEndpoint": { key: "privateEndpointName", path: (_, n) => `Microsoft.Network/privateEndpoints/${n}` },
  "network:PrivateDnsZoneGroup": {
    key: "privateDnsZoneGroupName",
    path: (i, n) => `Microsoft.Network/privateEndpoints/${text(i.privateEndpointName)}/privateDnsZoneGroups/${n}`,
  },
  "privatedns:PrivateZone": { key: "privateZoneName", path: (_, n) => `Microsoft.Network/privateDnsZones/${n}` },
  "privatedns:VirtualNetworkLink": {
    key: "virtualNetworkLinkName",
    path: (i, n) => `Microsoft.Network/privateDnsZones/${text(i.privateZoneName)}/virtualNetworkLinks/${n}`,
  },
  "dbforpostgresql:Server": { key: "serverName", path: (_, n) => `Microsoft.DBforPostgreSQL/flexibleServers/${n}` },
  "dbforpostgresql:Configuration": {
    key: "configurationName",
    path: (i, n) => `Microsoft.DBforPostgreSQL/flexibleServers/${text(i.serverName)}/configurations/${n}`,
  },
  "dbforpostgresql:Database": {
    key: "databaseName",
    path: (i, n) => `Microsoft.DBforPostgreSQL/flexibleServers/${text(i.serverName)}/databases/${n}`,
  },
  "redisenterprise:RedisEnterprise": { key: "clusterName", path: (_, n) => `Microsoft.Cache/redisEnterprise/${n}` },
  "redisenterprise:Database": {
    key: "databaseName",
    path: (i, n) => `Microsoft.Cache/redisEnterprise/${text(i.clusterName)}/databases/${n}`,
  },
  "servicebus:Namespace": { key: "namespaceName", path: (_, n) => `Microsoft.ServiceBus/namespaces/${n}` },
  "servicebus:Topic": {
    key: "topicName",
    path: (i, n) => `Microsoft.ServiceBus/namespaces/${text(i.namespaceName)}/topics/${n}`,
  },
  "servicebus:Subscription": {
    key: "subscriptionName",
    path: (i, n) =>
      `Microsoft.ServiceBus/namespaces/${text(i.namespaceName)}/topics/${text(i.topicName)}/subscriptions/${n}`,
  },
  "containerregistry:Registry": { key: "registryName", path: (_, n) => `Microsoft.ContainerRegistry/registries/${n}` },
  "operationalinsights:Workspace": {
    key: "workspaceName",
    path: (_, n) => `Microsoft.OperationalInsights/workspaces/${n}`,
  },
  "managedidentity:UserAssignedIdentity": {
    key: "resourceName",
    path: (_, n) => `Microsoft.ManagedIdentity/userAssignedIdentities/${n}`,
  },
  "app:ManagedEnvironment": { key: "environmentName", path: (_, n) => `Microsoft.App/managedEnvironments/${n}` },
  "app:ManagedCertificate": {
    key: "managedCertificateName",
    path: (i, n) => `Microsoft.App/managedEnvironments/${text(i.environmentName)}/managedCertificates/${n}`,
  },
  "app:ContainerApp": { key: "containerAppName", path: (_, n) => `Microsoft.App/containerApps/${n}` },
};

/** Outputs Azure computes on create: ARM ids, host names, client ids, secret URIs. */
export function computedAzure(type: string, name: string, inputs: Inputs): Inputs {
  const token = type.replace(/^azure-native:/, "");
  const group = `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${text(inputs.resourceGroupName)}`;
  if (token === "resources:ResourceGroup") {
    const rg = text(inputs.resourceGroupName) || name;
    return { id: `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${rg}`, name: rg };
  }
  if (token === "authorization:RoleAssignment") {
    const guid = mockGuid(`${name}`);
    return { id: `${text(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${guid}`, name: guid };
  }
  if (token === "monitor:DiagnosticSetting") {
    const id = `${text(inputs.resourceUri)}/providers/Microsoft.Insights/diagnosticSettings/${text(inputs.name)}`;
    return { id, name: text(inputs.name) };
  }
  if (token === "authorization:ManagementLockByScope") {
    return { id: `${text(inputs.scope)}/providers/Microsoft.Authorization/locks/${text(inputs.lockName)}` };
  }
  const arm = ARM[token];
  if (!arm) return {};
  const physical = text(inputs[arm.key]) || name;
  const id = `${group}/providers/${arm.path(inputs, physical)}`;
  const base = { id, name: physical };
  const location = text(inputs.location) || MOCK_AZURE_LOCATION;
  switch (token) {
    case "keyvault:Vault":
      return {
        ...base,
        properties: { ...(inputs.properties as Inputs), vaultUri: `https://${physical}.vault.azure.net/` },
      };
    case "keyvault:Secret": {
      const uri = `https://${text(inputs.vaultName)}.vault.azure.net/secrets/${physical}`;
      const { value: _value, ...properties } = (inputs.properties ?? {}) as Inputs;
      return {
        ...base,
        properties: {
          ...properties,
          secretUri: uri,
          secretUriWithVersion: `${uri}/${mockGuid(name).replace(/-/g, "")}`,
        },
      };
    }
    case "dbforpostgresql:Server":
      return { ...base, fullyQualifiedDomainName: `${physical}.postgres.database.azure.com` };
    case "redisenterprise:RedisEnterprise":
      return { ...base, hostName: `${physical}.${location}.redis.azure.net` };
    case "servicebus:Namespace":
      return { ...base, serviceBusEndpoint: `https://${physical}.servicebus.windows.net:443/` };
    case "containerregistry:Registry":
      return { ...base, loginServer: `${physical}.azurecr.io` };
    case "operationalinsights:Workspace":
      return { ...base, customerId: mockGuid(`workspace-${name}`) };
    case "managedidentity:UserAssignedIdentity":
      return { ...base, clientId: mockGuid(`client-${name}`), principalId: mockGuid(`principal-${name}`) };
    case "app:ManagedEnvironment":
      return {
        ...base,
        defaultDomain: `happy-meadow-0a1b2c3d.${location}.azurecontainerapps.io`,
        staticIp: "20.50.0.10",
      };
    default:
      return base;
  }
}

/** Results of the Azure functions the components call. */
export function callAzure(token: string, inputs: Inputs): Inputs | undefined {
  // Keys Azure generates: base64 of 32 random bytes, as the real ones are.
  const key = () => randomBytes(32).toString("base64");
  switch (token) {
    case "azure-native:authorization:getClientConfig":
      return {
        subscriptionId: MOCK_SUBSCRIPTION,
        tenantId: MOCK_TENANT,
        clientId: mockGuid("deployer"),
        objectId: mockGuid("deployer-object"),
      };
    case "azure-native:operationalinsights:getSharedKeys":
      return { primarySharedKey: key(), secondarySharedKey: key() };
    case "azure-native:redisenterprise:listDatabaseKeys":
      return { primaryKey: key(), secondaryKey: key() };
    case "azure-native:resources:getResourceGroup": {
      const rg = text(inputs.resourceGroupName);
      return {
        id: `/subscriptions/${MOCK_SUBSCRIPTION}/resourceGroups/${rg}`,
        name: rg,
        location: MOCK_AZURE_LOCATION,
      };
    }
    default:
      return undefined;
  }
}
