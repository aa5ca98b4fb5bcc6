import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseRedisUrl } from "../adapters/redis/config.js";
import { CLUSTERING_POLICY, MANAGED_REDIS_PORT } from "../components/azure/cache.js";
import { AZURE_POSTGRES_ROOTS } from "../components/azure/postgres-ca.js";
import { ROLES } from "../components/azure/roles.js";
import { MOCK_SUBSCRIPTION } from "../components/testing/azure-mocks.js";
import { asArray, at, Graph } from "../components/testing/graph.js";
import { parseServiceEnv } from "../services/kernel/env.js";
import { platform } from "../services/platform.js";
import { containerEnvironment, describePlatformChecks, storedDatabaseUrl, useMockedStack } from "./testing/checks.js";
import { runStack, testConfig } from "./testing/run-stack.js";

const T = {
  app: "azure-native:app:ContainerApp",
  role: "azure-native:authorization:RoleAssignment",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
} as const;

describe("Azure stack under mocks", () => {
  const stack = useMockedStack("azure");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;
  const containerApp = (service: string) => graph().named(T.app, `${app()}-${service}-app`);

  describePlatformChecks("azure", stack);

  it("creates the expected resources, counted by type", () => {
    const services = platform.services.length;
    const secretRefs = platform.services.reduce(
      (n, s) => n + Number(s.database) + Number(s.cache) + Number(s.signsTokens),
      0,
    );
    const entityRoles = platform.services.reduce((n, s) => n + s.publishes.length + s.consumes.length, 0);
    expect(graph().countsByType()).toEqual({
      "azure-native:resources:ResourceGroup": 1,
      "azure-native:keyvault:Vault": 1,
      // DATABASE_URL, CACHE_URL, JWT_PRIVATE_KEY and the admin password.
      "azure-native:keyvault:Secret": 4,
      "azure-native:network:VirtualNetwork": 1,
      "azure-native:network:Subnet": 3,
      // The VNet flow log and the storage account it writes to.
      "azure-native:network:FlowLog": 1,
      "azure-native:storage:StorageAccount": 1,
      "azure-native:privatedns:PrivateZone": 2,
      "azure-native:privatedns:VirtualNetworkLink": 2,
      "azure-native:network:PrivateEndpoint": 1,
      "azure-native:network:PrivateDnsZoneGroup": 1,
      "azure-native:dbforpostgresql:Server": 1,
      "azure-native:dbforpostgresql:Configuration": 3,
      "azure-native:dbforpostgresql:Database": 1,
      "azure-native:authorization:ManagementLockByScope": 1,
      "azure-native:redisenterprise:RedisEnterprise": 1,
      "azure-native:redisenterprise:Database": 1,
      "azure-native:servicebus:Namespace": 1,
      "azure-native:servicebus:Topic": platform.topics.length,
      "azure-native:servicebus:Subscription": platform.subscriptions.length,
      "azure-native:containerregistry:Registry": 1,
      "azure-native:operationalinsights:Workspace": 1,
      // The PostgreSQL server's log into the workspace.
      "azure-native:monitor:DiagnosticSetting": 1,
      "azure-native:app:ManagedEnvironment": 1,
      "azure-native:app:ContainerApp": services,
      "azure-native:managedidentity:UserAssignedIdentity": services,
      // AcrPull each, one per secret reference, one per topic sent to and subscription received from.
      "azure-native:authorization:RoleAssignment": services + secretRefs + entityRoles,
      "random:index/randomPassword:RandomPassword": 1,
      "random:index/randomString:RandomString": 1,
      "tls:index/privateKey:PrivateKey": 1,
    });
  });

  it("places everything in the stack's resource group and location", () => {
    for (const r of graph().resources.filter((r) => r.type.startsWith("azure-native:"))) {
      // A flow log is a child of the location's Network Watcher, which sits in Azure's own group.
      if (r.type === "azure-native:network:FlowLog") expect(r.inputs.resourceGroupName).toBe("NetworkWatcherRG");
      else if ("resourceGroupName" in r.inputs) expect(r.inputs.resourceGroupName, r.name).toBe(`${app()}-rg`);
      if (typeof r.inputs.location === "string" && r.inputs.location !== "global")
        expect(r.inputs.location, r.name).toBe("westeurope");
    }
  });

  it("deploys into an existing resource group when taskflow:resourceGroup names one, creating none", async () => {
    const run = await runStack("azure", {}, { ...testConfig("azure"), "taskflow:resourceGroup": "shared-rg" });
    const g = new Graph(run.resources);
    expect(g.ofType("azure-native:resources:ResourceGroup")).toEqual([]);
    expect(g.named("azure-native:keyvault:Vault", `${run.settings.appName}-kv`).inputs.resourceGroupName).toBe(
      "shared-rg",
    );
  });

  it("logs every flow of the VNet into a private, TLS-only storage account of the stack", () => {
    const [vnet] = graph().ofType("azure-native:network:VirtualNetwork");
    const [account] = graph().ofType("azure-native:storage:StorageAccount");
    const [log] = graph().ofType("azure-native:network:FlowLog");
    expect(log?.inputs).toMatchObject({
      networkWatcherName: "NetworkWatcher_westeurope",
      targetResourceId: vnet?.id,
      storageId: account?.id,
      enabled: true,
      retentionPolicy: { enabled: true, days: 30 },
    });
    expect(account?.inputs).toMatchObject({
      resourceGroupName: `${app()}-rg`,
      location: "westeurope",
      minimumTlsVersion: "TLS1_2",
      allowBlobPublicAccess: false,
      networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
    });
    expect(String(account?.inputs.accountName)).toMatch(/^[a-z0-9]{3,24}$/);
  });

  it("carves the three subnets from the neutral range and delegates two of them", () => {
    const subnets = Object.fromEntries(
      graph()
        .ofType("azure-native:network:Subnet")
        .map((s) => [s.inputs.subnetName, s.inputs]),
    );
    expect(subnets.apps).toMatchObject({
      addressPrefix: "10.0.0.0/23",
      delegations: [{ serviceName: "Microsoft.App/environments" }],
    });
    expect(subnets.postgres).toMatchObject({
      addressPrefix: "10.0.2.0/23",
      delegations: [{ serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" }],
    });
    expect(subnets.endpoints).toMatchObject({ addressPrefix: "10.0.4.0/23" });
    expect(subnets.endpoints?.delegations).toBeUndefined();
    const vnet = graph().named("azure-native:network:VirtualNetwork", `${app()}-network-vnet`);
    const links = graph().ofType("azure-native:privatedns:VirtualNetworkLink");
    expect(links.map((l) => at(l.inputs, "virtualNetwork", "id"))).toEqual([vnet.id, vnet.id]);
    expect(links.map((l) => l.inputs.privateZoneName).sort()).toEqual([
      "privatelink.redis.azure.net",
      `${app()}-network.private.postgres.database.azure.com`,
    ]);
  });

  it("runs Flexible Server privately with TLS required, connections logged, a zone-redundant standby and backups as declared", () => {
    const server = graph().named("azure-native:dbforpostgresql:Server", `${app()}-db-server`);
    expect(server.inputs).toMatchObject({
      version: platform.database.engineVersion,
      sku: { name: "Standard_D2ds_v5", tier: "GeneralPurpose" },
      highAvailability: { mode: "ZoneRedundant" },
      backup: { backupRetentionDays: platform.database.backupRetentionDays },
      network: { publicNetworkAccess: "Disabled" },
    });
    const parameters = Object.fromEntries(
      graph()
        .ofType("azure-native:dbforpostgresql:Configuration")
        .map((c) => [c.inputs.configurationName, c.inputs.value]),
    );
    expect(parameters).toEqual({ require_secure_transport: "on", log_connections: "on", log_disconnections: "on" });
    const lock = graph().named("azure-native:authorization:ManagementLockByScope", `${app()}-db-lock`);
    expect(lock.inputs).toMatchObject({ scope: server.id, level: "CanNotDelete" });
  });

  it("keeps no standby on a burstable size, which Azure cannot give one", async () => {
    const run = await runStack("azure", { databaseInstance: "Standard_B1ms", deletionProtection: false });
    const g = new Graph(run.resources);
    const server = g.named("azure-native:dbforpostgresql:Server", `${run.settings.appName}-db-server`);
    expect(server.inputs).toMatchObject({ sku: { tier: "Burstable" }, highAvailability: { mode: "Disabled" } });
    expect(g.ofType("azure-native:authorization:ManagementLockByScope")).toEqual([]);
  });

  it("keeps the admin password in Key Vault only, and verifies the server by name against Azure's roots", () => {
    const server = graph().named("azure-native:dbforpostgresql:Server", `${app()}-db-server`);
    const adminSecret = graph().named("azure-native:keyvault:Secret", `${app()}-db-admin-password-secret`);
    const password = graph().named("random:index/randomPassword:RandomPassword", `${app()}-db-password`).state.result;
    expect(at(adminSecret.inputs, "properties", "value")).toBe(password);
    expect(at(server.inputs, "administratorLoginPassword")).toBe(password);
    expect(JSON.stringify(stack().run.outputs)).not.toContain(String(password));
    const url = new URL(storedDatabaseUrl(stack().run));
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
    expect(url.hostname).toBe(server.state.fullyQualifiedDomainName);
    const pem = containerEnvironment(stack().reading, "tasks").DATABASE_TLS_CA ?? "";
    const subjects = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
      (block) => /CN=(.*)/.exec(new X509Certificate(block).subject)?.[1],
    );
    expect(subjects).toEqual([...AZURE_POSTGRES_ROOTS]);
  });

  it("runs Managed Redis TLS-only behind a private endpoint, with the access key only inside CACHE_URL", () => {
    const cluster = graph().named("azure-native:redisenterprise:RedisEnterprise", `${app()}-cache-redis`);
    const database = graph().named("azure-native:redisenterprise:Database", `${app()}-cache-database`);
    expect(cluster.inputs).toMatchObject({
      publicNetworkAccess: "Disabled",
      minimumTlsVersion: "1.2",
      highAvailability: "Enabled",
    });
    expect(database.inputs).toMatchObject({ clientProtocol: "Encrypted", port: MANAGED_REDIS_PORT });
    const cacheUrl = graph().named("azure-native:keyvault:Secret", `${app()}-cache-url-secret`);
    const url = String(at(cacheUrl.inputs, "properties", "value"));
    expect(url).toMatch(new RegExp(`^rediss://:[A-Za-z0-9%]{44,}@${cluster.state.hostName}:10000$`));
    // Access keys are base64 ("+", "/", "="): the URL carries them escaped, and the Redis adapter reads them back whole.
    const endpointConfig = parseRedisUrl(url);
    expect(typeof endpointConfig === "object" && endpointConfig.password).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(typeof endpointConfig === "object" && endpointConfig.tls).toEqual({ servername: cluster.state.hostName });
    const endpoint = graph().named("azure-native:network:PrivateEndpoint", `${app()}-cache-endpoint`);
    expect(at(endpoint.inputs, "privateLinkServiceConnections", 0)).toMatchObject({
      privateLinkServiceId: cluster.id,
      groupIds: ["redisEnterprise"],
    });
  });

  it("uses the Enterprise clustering policy: one endpoint the Redis adapter's single client fits, multi-key reads split per slot", () => {
    const database = graph().named("azure-native:redisenterprise:Database", `${app()}-cache-database`);
    expect(database.inputs.clusteringPolicy).toBe("EnterpriseCluster");
    expect(CLUSTERING_POLICY).toBe("EnterpriseCluster");
  });

  it("runs Service Bus with SAS off and TLS 1.2, delivery count, lock, expiry dead-lettering and sessions as declared", () => {
    const namespace = graph().named("azure-native:servicebus:Namespace", `${app()}-broker-namespace`);
    expect(namespace.inputs).toMatchObject({
      disableLocalAuth: true,
      minimumTlsVersion: "1.2",
      sku: { name: "Standard" },
    });
    for (const topic of platform.topics) {
      const t = graph().named("azure-native:servicebus:Topic", `${app()}-broker-${topic.name}`);
      expect(t.inputs).toMatchObject({
        requiresDuplicateDetection: true,
        duplicateDetectionHistoryTimeWindow: "PT10M",
      });
    }
    for (const s of platform.subscriptions) {
      const sub = graph().named("azure-native:servicebus:Subscription", `${app()}-broker-${s.name}`);
      expect(sub.inputs).toMatchObject({
        topicName: s.topic,
        maxDeliveryCount: s.maxAttempts,
        lockDuration: `PT${s.lockMs / 1000}S`,
        requiresSession: s.ordered,
        deadLetteringOnMessageExpiration: true,
      });
    }
  });

  it("refuses a lock over Service Bus's 5 minutes by name, before creating anything", async () => {
    const { serviceBusLockDuration } = await import("../components/azure/messaging.js");
    expect(serviceBusLockDuration("s", 300_000)).toBe("PT300S");
    expect(() => serviceBusLockDuration("tasks-activity", 300_001)).toThrow(
      /subscription "tasks-activity": lockMs 300001 is outside what Service Bus allows \(5000 to 300000 ms, at most 5 minutes\)/,
    );
    expect(() => serviceBusLockDuration("s", 4_000)).toThrow(/outside what Service Bus allows/);
  });

  it("gives the adapter entity paths and the namespace host, and each app its identity's client id", () => {
    const namespace = graph().named("azure-native:servicebus:Namespace", `${app()}-broker-namespace`);
    for (const service of platform.services) {
      const env = containerEnvironment(stack().reading, service.name);
      const identity = graph().named(T.identity, `${app()}-${service.name}-identity`);
      expect(env.AZURE_CLIENT_ID).toBe(identity.state.clientId);
      const parsed = parseServiceEnv(env);
      if (service.publishes.length + service.consumes.length === 0) continue;
      expect(env.SERVICEBUS_NAMESPACE).toBe(`${namespace.state.name}.servicebus.windows.net`);
      for (const name of service.consumes) {
        const declared = platform.subscriptions.find((s) => s.name === name);
        expect(parsed.BROKER_SUBSCRIPTIONS[name]).toBe(`${declared?.topic}/Subscriptions/${name}`);
      }
    }
  });

  it("grants each identity only data roles on its own entities and secrets, and AcrPull, never on a group or namespace", () => {
    const allowed = new Set(Object.values(ROLES));
    for (const role of graph().ofType(T.role)) {
      const scope = String(role.inputs.scope);
      expect(
        allowed.has(String(role.inputs.roleDefinitionId).split("/").pop() as (typeof ROLES)[keyof typeof ROLES]),
      ).toBe(true);
      expect(String(role.inputs.roleDefinitionId)).toMatch(
        new RegExp(`^/subscriptions/${MOCK_SUBSCRIPTION}/providers/`),
      );
      // Exactly one resource: a topic, a subscription, a secret or the registry, never its parent.
      expect(scope, role.name).toMatch(
        /\/(namespaces\/[^/]+\/topics\/[^/]+(\/subscriptions\/[^/]+)?|vaults\/[^/]+\/secrets\/[^/]+|registries\/[^/]+)$/,
      );
      expect(role.inputs.principalType).toBe("ServicePrincipal");
    }
  });

  it("exposes only the gateway, over HTTPS, and reads every secret as a Key Vault reference through the app's identity", () => {
    for (const service of platform.services) {
      const a = containerApp(service.name);
      expect(at(a.inputs, "configuration", "ingress")).toMatchObject({
        external: service.public,
        allowInsecure: false,
      });
      const identity = graph().named(T.identity, `${app()}-${service.name}-identity`);
      expect(at(a.inputs, "configuration", "registries")).toEqual([
        { server: expect.stringMatching(/\.azurecr\.io$/), identity: identity.id },
      ]);
      for (const secret of asArray(at(a.inputs, "configuration", "secrets")) as Record<string, unknown>[]) {
        expect(secret.value).toBeUndefined();
        expect(secret.identity).toBe(identity.id);
        expect(String(secret.keyVaultUrl)).toMatch(
          /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/[a-z0-9-]+\/[0-9a-f]{32}$/,
        );
      }
      const container = at(a.inputs, "template", "containers", 0);
      expect(at(container, "resources")).toEqual({ cpu: 0.25, memory: "0.5Gi" });
      expect((asArray(at(container, "probes")) as { type: string }[]).map((p) => p.type).sort()).toEqual([
        "Liveness",
        "Readiness",
        "Startup",
      ]);
    }
    expect(
      graph().named("azure-native:containerregistry:Registry", `${app()}-registry-acr`).inputs.adminUserEnabled,
    ).toBe(false);
  });

  it("keeps the vault on RBAC with soft delete and purge protection, and the workspace on the declared retention", () => {
    const vault = graph().named("azure-native:keyvault:Vault", `${app()}-kv`);
    expect(vault.inputs.properties).toMatchObject({
      enableRbacAuthorization: true,
      enableSoftDelete: true,
      enablePurgeProtection: true,
    });
    const workspace = graph().named("azure-native:operationalinsights:Workspace", `${app()}-logs-workspace`);
    expect(workspace.inputs.retentionInDays).toBe(30);
    const environment = graph().named("azure-native:app:ManagedEnvironment", `${app()}-environment`);
    expect(at(environment.inputs, "appLogsConfiguration", "logAnalyticsConfiguration", "customerId")).toBe(
      workspace.state.customerId,
    );
  });

  it("binds a custom domain to the gateway alone with a managed certificate", async () => {
    const run = await runStack("azure", { domain: { name: "tasks.example.com" } });
    const g = new Graph(run.resources);
    const certificate = g.named("azure-native:app:ManagedCertificate", `${run.settings.appName}-certificate`);
    expect(certificate.inputs.properties).toEqual({
      subjectName: "tasks.example.com",
      domainControlValidation: "CNAME",
    });
    for (const r of g.ofType(T.app)) {
      const domains = at(r.inputs, "configuration", "ingress", "customDomains");
      if (r.name.endsWith("-gateway-app"))
        expect(domains).toEqual([
          { name: "tasks.example.com", certificateId: certificate.id, bindingType: "SniEnabled" },
        ]);
      else expect(domains).toBeUndefined();
    }
    expect(run.outputs.publicUrl).toBe("https://tasks.example.com");
  });
});
