import { ServiceBusAdministrationClient, ServiceBusClient } from "@azure/service-bus";
import type { SbAdminLike, SbClientLike } from "./client.js";
import type { ServiceBusAuth } from "./config.js";
import { entraCredential } from "./managed-identity.js";

/** The one place the real Service Bus clients are built. */
export function createServiceBusClients(auth: ServiceBusAuth): { client: SbClientLike; admin: SbAdminLike } {
  if (auth.kind === "connection-string") {
    return {
      client: new ServiceBusClient(auth.connectionString),
      admin: new ServiceBusAdministrationClient(auth.adminConnectionString ?? auth.connectionString),
    };
  }
  const credential =
    auth.kind === "shared-key" ? { name: auth.keyName, key: auth.key } : entraCredential(auth.clientId);
  return {
    client: new ServiceBusClient(auth.namespace, credential),
    admin: new ServiceBusAdministrationClient(auth.namespace, credential),
  };
}
