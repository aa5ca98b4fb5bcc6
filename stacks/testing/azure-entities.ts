import { readServiceBusConfig } from "../../adapters/azure-service-bus/config.js";
import { openedEntities } from "../../adapters/azure-service-bus/names.js";
import type { Env } from "../../adapters/core/config.js";
import { ROLES } from "../../components/azure/roles.js";
import type { Graph } from "../../components/testing/graph.js";

const T = {
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  role: "azure-native:authorization:RoleAssignment",
  topic: "azure-native:servicebus:Topic",
  subscription: "azure-native:servicebus:Subscription",
} as const;

/**
 * What is wrong with the Service Bus entities one app's adapter opens, from the environment
 * the graph gives it: every entity path must exist in the graph, and the app's own identity
 * (`${app}-${service}-identity`) must hold the role that path needs; the adapter must sign in as
 * that identity and create nothing. Empty when all holds. No Service Bus runs on a machine
 * without Docker, so this static check stands in for the broker in the stack tests and the
 * Azure rehearsal.
 */
export function serviceBusEntityProblems(graph: Graph, app: string, service: string, env: Env): string[] {
  const config = readServiceBusConfig(env);
  const identity = graph.named(T.identity, `${app}-${service}-identity`);
  const problems: string[] = [];
  if (config.auth.kind !== "entra-id" || config.auth.clientId !== identity.state.clientId)
    problems.push(
      `${service} does not sign in as its own managed identity (AZURE_CLIENT_ID ${identity.state.clientId})`,
    );
  if (config.autoCreate) problems.push(`${service} would create entities (SERVICEBUS_AUTO_CREATE is not false)`);
  const holds = (role: keyof typeof ROLES, scope: string | undefined) =>
    graph
      .ofType(T.role)
      .some(
        (r) =>
          r.inputs.principalId === identity.state.principalId &&
          r.inputs.scope === scope &&
          String(r.inputs.roleDefinitionId).endsWith(`/${ROLES[role]}`),
      );
  const opened = openedEntities(config);
  for (const path of opened.send) {
    const topic = graph.ofType(T.topic).find((t) => t.state.name === path);
    if (!topic) problems.push(`${service} sends to "${path}", which the graph lacks`);
    else if (!holds("serviceBusDataSender", topic.id))
      problems.push(`${service}'s identity has no Data Sender role on "${path}"`);
  }
  for (const path of opened.receive) {
    const [topicName, , subscriptionName] = path.split("/");
    const subscription = graph
      .ofType(T.subscription)
      .find((s) => s.inputs.topicName === topicName && s.state.name === subscriptionName);
    if (!subscription) problems.push(`${service} receives from "${path}", which the graph lacks`);
    // The dead-letter sub-queue is covered by the role on its subscription.
    else if (!holds("serviceBusDataReceiver", subscription.id))
      problems.push(`${service}'s identity has no Data Receiver role on "${path}"`);
  }
  return problems;
}

/** How many entity paths the app's adapter opens: a sender per topic, two receivers per subscription. */
export function openedEntityCount(env: Env): { send: number; receive: number } {
  const opened = openedEntities(readServiceBusConfig(env));
  return { send: opened.send.length, receive: opened.receive.length };
}
