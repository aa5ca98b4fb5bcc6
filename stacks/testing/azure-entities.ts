import { readServiceBusConfig } from "../../adapters/azure-service-bus/config.js";
import { ROLES } from "../../components/azure/roles.js";
import type { Graph } from "../../components/testing/graph.js";
import { serviceBusOpened } from "./azure-graph.js";

const T = {
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  topic: "azure-native:servicebus:Topic",
} as const;

/**
 * What is wrong with the Service Bus entities one app's adapter opens, from the environment
 * the graph gives it: each must exist in the graph, with the app's own identity
 * (`<app>-<service>-identity`) holding Data Sender on a topic and Data Receiver on a
 * subscription (which covers its dead-letter sub-queue); the adapter must sign in as that
 * identity and create nothing. Empty when all holds. No Service Bus runs without Docker, so the
 * Azure rehearsal runs this in place of the broker before it starts anything.
 */
export function serviceBusEntityProblems(graph: Graph, app: string, service: string, env: Record<string, string>) {
  const config = readServiceBusConfig(env);
  const identity = graph.named(T.identity, `${app}-${service}-identity`);
  const problems: string[] = [];
  if (config.auth.kind !== "entra-id" || config.auth.clientId !== identity.state.clientId)
    problems.push(`${service} does not sign in as its own identity (client id ${identity.state.clientId})`);
  if (config.autoCreate) problems.push(`${service} would create entities (SERVICEBUS_AUTO_CREATE is not false)`);
  for (const id of serviceBusOpened(graph, env)) {
    if (id.startsWith("missing:")) {
      problems.push(`${service} opens ${id.slice("missing:".length)}, which the graph lacks`);
      continue;
    }
    const role = graph.ofType(T.topic).some((t) => t.id === id) ? "serviceBusDataSender" : "serviceBusDataReceiver";
    const held = graph
      .ofType(T.role)
      .some(
        (r) =>
          r.inputs.principalId === identity.state.principalId &&
          r.inputs.scope === id &&
          String(r.inputs.roleDefinitionId).endsWith(`/${ROLES[role]}`),
      );
    if (!held) problems.push(`${service}'s identity lacks ${role} on ${id.slice(id.indexOf("/topics/") + 1)}`);
  }
  return problems;
}
