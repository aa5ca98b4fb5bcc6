import { z } from "zod";
import { adapterSelectionSchema, type Env, envFlag as flag, readConfig } from "../core/config.js";

/** How the adapter authenticates to the namespace. */
export type ServiceBusAuth =
  | {
      readonly kind: "connection-string";
      readonly connectionString: string;
      /** For the management API where it listens elsewhere (the emulator's port 5300). */
      readonly adminConnectionString?: string;
    }
  | { readonly kind: "shared-key"; readonly namespace: string; readonly keyName: string; readonly key: string }
  /**
   * Microsoft Entra ID through @azure/identity: the app's managed identity (AZURE_CLIENT_ID names
   * the user-assigned one the stacks give each service), AKS workload identity, environment
   * credentials or a local `az login`.
   */
  | {
      readonly kind: "entra-id";
      readonly namespace: string;
      /** A user-assigned managed identity's client id; unset, DefaultAzureCredential's own order. */
      readonly clientId?: string;
    };

/** Settings of the Service Bus broker adapter besides the client itself. */
export interface ServiceBusBrokerSettings {
  /** Create missing topics and subscriptions on first use (needs Manage rights). @default true */
  readonly autoCreate: boolean;
  /** Longest time the client keeps renewing one message's lock. @default 300_000 */
  readonly maxLockRenewalMs: number;
  /** Logical topic → Service Bus topic, as the stacks inject them. */
  readonly topics: Readonly<Record<string, string>>;
  /** Logical subscription → Service Bus subscription name, as the stacks inject them. */
  readonly subscriptions: Readonly<Record<string, string>>;
}

export interface ServiceBusConfig extends ServiceBusBrokerSettings {
  readonly auth: ServiceBusAuth;
}

const schema = adapterSelectionSchema
  .pick({ BROKER_TOPICS: true, BROKER_SUBSCRIPTIONS: true })
  .extend({
    SERVICEBUS_CONNECTION_STRING: z
      .string()
      .regex(/Endpoint=sb:\/\//i, "must be a Service Bus connection string (Endpoint=sb://...)")
      .optional(),
    SERVICEBUS_ADMIN_CONNECTION_STRING: z
      .string()
      .regex(/Endpoint=sb:\/\//i, "must be a Service Bus connection string (Endpoint=sb://...)")
      .optional(),
    SERVICEBUS_NAMESPACE: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, "must be a namespace name or host, e.g. taskflow-prod.servicebus.windows.net")
      .optional(),
    SERVICEBUS_SAS_KEY_NAME: z.string().min(1).optional(),
    SERVICEBUS_SAS_KEY: z.string().min(1).optional(),
    AZURE_CLIENT_ID: z.string().min(1).optional(),
    SERVICEBUS_AUTO_CREATE: flag,
    SERVICEBUS_MAX_LOCK_RENEWAL_MS: z.coerce.number().int().min(0).default(300_000),
  })
  .superRefine((env, ctx) => {
    if (env.SERVICEBUS_CONNECTION_STRING) return;
    if (!env.SERVICEBUS_NAMESPACE) {
      ctx.addIssue({ code: "custom", path: ["SERVICEBUS_NAMESPACE"], message: "is required" });
      return;
    }
    if (env.SERVICEBUS_SAS_KEY_NAME || env.SERVICEBUS_SAS_KEY) {
      for (const name of ["SERVICEBUS_SAS_KEY_NAME", "SERVICEBUS_SAS_KEY"] as const) {
        if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required with a shared access key" });
      }
    }
  });

const HINTS: Record<string, string> = {
  SERVICEBUS_CONNECTION_STRING: "copy it from the namespace's Shared access policies, or unset it to use a namespace",
  SERVICEBUS_NAMESPACE:
    "set SERVICEBUS_CONNECTION_STRING, or SERVICEBUS_SAS_KEY_NAME and SERVICEBUS_SAS_KEY; with neither, it signs in with Entra ID (managed identity, workload identity or az login)",
  SERVICEBUS_AUTO_CREATE: "set it to false where the stacks own the topics and subscriptions",
};

export function readServiceBusConfig(env: Env): ServiceBusConfig {
  const config = readConfig(schema, env, HINTS);
  const mapped = Object.keys(config.BROKER_TOPICS).length + Object.keys(config.BROKER_SUBSCRIPTIONS).length > 0;
  return {
    auth: resolveAuth(config),
    // Deployed containers get their entity names from the stacks, which own the entities; a
    // consumer-only service has subscriptions mapped and no topics, and must not create either.
    autoCreate: config.SERVICEBUS_AUTO_CREATE ?? !mapped,
    maxLockRenewalMs: config.SERVICEBUS_MAX_LOCK_RENEWAL_MS,
    topics: config.BROKER_TOPICS,
    subscriptions: config.BROKER_SUBSCRIPTIONS,
  };
}

function resolveAuth(config: z.infer<typeof schema>): ServiceBusAuth {
  if (config.SERVICEBUS_CONNECTION_STRING) {
    return {
      kind: "connection-string",
      connectionString: config.SERVICEBUS_CONNECTION_STRING,
      adminConnectionString: config.SERVICEBUS_ADMIN_CONNECTION_STRING,
    };
  }
  // The schema guarantees a namespace and one complete credential from here on.
  const namespace = qualify(config.SERVICEBUS_NAMESPACE!);
  if (config.SERVICEBUS_SAS_KEY_NAME && config.SERVICEBUS_SAS_KEY) {
    return { kind: "shared-key", namespace, keyName: config.SERVICEBUS_SAS_KEY_NAME, key: config.SERVICEBUS_SAS_KEY };
  }
  return { kind: "entra-id", namespace, ...(config.AZURE_CLIENT_ID ? { clientId: config.AZURE_CLIENT_ID } : {}) };
}

/** "taskflow-prod" → "taskflow-prod.servicebus.windows.net"; a host is kept as given. */
export function qualify(namespace: string): string {
  return namespace.includes(".") ? namespace : `${namespace}.servicebus.windows.net`;
}
