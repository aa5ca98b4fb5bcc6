import { describe, expect, it } from "vitest";
import { readServiceBusConfig } from "../../adapters/azure-service-bus/config.js";
import { openedEntities } from "../../adapters/azure-service-bus/names.js";
import { platform } from "../../services/platform.js";
import { containerEnvironment, useMockedStack } from "../testing/checks.js";
import { Graph } from "../testing/graph.js";
import { ROLES } from "./roles.js";

/**
 * No Service Bus runs here (it has no emulator without Docker), so the broker is checked
 * statically: every entity path the adapter opens, from the very environment the graph gives
 * each app, exists in the graph, and the app's identity holds the role that path needs.
 */
describe("Azure: every Service Bus entity the adapter opens exists, with the identity's role on it", () => {
  const stack = useMockedStack("azure");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;

  const roleHeld = (principalId: unknown, role: keyof typeof ROLES, scope: string) =>
    graph()
      .ofType("azure-native:authorization:RoleAssignment")
      .some(
        (r) =>
          r.inputs.principalId === principalId &&
          r.inputs.scope === scope &&
          String(r.inputs.roleDefinitionId).endsWith(`/${ROLES[role]}`),
      );

  it.each(platform.services.filter((s) => s.publishes.length + s.consumes.length > 0).map((s) => [s.name]))(
    "%s",
    (name) => {
      const env = containerEnvironment(stack().reading, name);
      const config = readServiceBusConfig(env);
      const identity = graph().named("azure-native:managedidentity:UserAssignedIdentity", `${app()}-${name}-identity`);
      // The adapter signs in as this app's own identity, with the stack's entities as they are.
      expect(config.auth).toMatchObject({ kind: "entra-id", clientId: identity.state.clientId });
      expect(config.autoCreate).toBe(false);
      const opened = openedEntities(config);
      const declared = platform.services.find((s) => s.name === name);
      expect(opened.send).toHaveLength(declared?.publishes.length ?? 0);
      expect(opened.receive).toHaveLength(2 * (declared?.consumes.length ?? 0));
      for (const path of opened.send) {
        const topic = graph()
          .ofType("azure-native:servicebus:Topic")
          .find((t) => t.state.name === path);
        expect(topic, `${name} sends to "${path}", which the graph lacks`).toBeDefined();
        expect(roleHeld(identity.state.principalId, "serviceBusDataSender", topic?.id ?? ""), path).toBe(true);
      }
      for (const path of opened.receive) {
        const [topicName, , subscriptionName] = path.split("/");
        const subscription = graph()
          .ofType("azure-native:servicebus:Subscription")
          .find((s) => s.inputs.topicName === topicName && s.state.name === subscriptionName);
        expect(subscription, `${name} receives from "${path}", which the graph lacks`).toBeDefined();
        // The dead-letter sub-queue is covered by the role on its subscription.
        expect(roleHeld(identity.state.principalId, "serviceBusDataReceiver", subscription?.id ?? ""), path).toBe(true);
      }
    },
  );

  it("fails when an identity lacks the role on an entity it opens (the check can fail)", () => {
    const env = containerEnvironment(stack().reading, "tasks");
    const [path] = openedEntities(readServiceBusConfig(env)).send;
    const topic = graph()
      .ofType("azure-native:servicebus:Topic")
      .find((t) => t.state.name === path);
    const other = graph().named("azure-native:managedidentity:UserAssignedIdentity", `${app()}-gateway-identity`);
    expect(roleHeld(other.state.principalId, "serviceBusDataSender", topic?.id ?? "")).toBe(false);
  });
});
