import { describe, expect, it } from "vitest";
import { readServiceBusConfig } from "../adapters/azure-service-bus/config.js";
import { Graph } from "../components/testing/graph.js";
import { platform } from "../services/platform.js";
import { serviceBusEntityProblems } from "./testing/azure-entities.js";
import { containerEnvironment, useMockedStack } from "./testing/checks.js";

/**
 * No Service Bus runs here (it has no emulator without Docker), so the broker is checked
 * statically. That every entity the adapter opens, read from the app's own environment, exists
 * and is exactly what the app's identity holds a role on is the shared check (checks.ts, fed by
 * azure-graph.ts). What is Azure's own: the adapter signs in as the app's identity, creates
 * nothing, and the role on each entity is the one its use needs.
 */
describe("Azure: the Service Bus adapter signs in as the app and holds the role each entity needs", () => {
  const stack = useMockedStack("azure");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;

  it.each(platform.services.filter((s) => s.publishes.length + s.consumes.length > 0).map((s) => [s.name]))(
    "%s",
    (name) => {
      const config = readServiceBusConfig(containerEnvironment(stack().reading, name));
      const identity = graph().named("azure-native:managedidentity:UserAssignedIdentity", `${app()}-${name}-identity`);
      expect(config.auth).toMatchObject({ kind: "entra-id", clientId: identity.state.clientId });
      expect(config.autoCreate).toBe(false);
      const roleOn = (type: string) =>
        new Set(
          (stack().reading.grants[name] ?? [])
            .filter((g) => graph().withOutput(type, "id", g.resource))
            .map((g) => g.access),
        );
      const declared = platform.services.find((s) => s.name === name);
      if (declared?.publishes.length)
        expect(roleOn("azure-native:servicebus:Topic")).toEqual(new Set(["serviceBusDataSender"]));
      // The dead-letter sub-queue is covered by the role on its subscription.
      if (declared?.consumes.length)
        expect(roleOn("azure-native:servicebus:Subscription")).toEqual(new Set(["serviceBusDataReceiver"]));
    },
  );

  it("the rehearsal's check passes every app and names an entity the graph lacks or a role not held (it can fail)", () => {
    for (const s of platform.services.filter((s) => s.publishes.length + s.consumes.length > 0))
      expect(serviceBusEntityProblems(graph(), app(), s.name, containerEnvironment(stack().reading, s.name))).toEqual(
        [],
      );
    const tasks = containerEnvironment(stack().reading, "tasks");
    expect(
      serviceBusEntityProblems(graph(), app(), "tasks", {
        ...tasks,
        BROKER_TOPICS: JSON.stringify({ "task-events": "no-such-topic" }),
      }),
    ).toEqual(["tasks opens topic no-such-topic, which the graph lacks"]);
    // The gateway's identity with the tasks app's entities: it holds none of their roles.
    const gateway = containerEnvironment(stack().reading, "gateway");
    const problems = serviceBusEntityProblems(graph(), app(), "gateway", {
      ...tasks,
      AZURE_CLIENT_ID: gateway.AZURE_CLIENT_ID ?? "",
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "gateway's identity lacks serviceBusDataSender on topics/task-events",
        "gateway's identity lacks serviceBusDataReceiver on topics/task-events/subscriptions/tasks-activity",
      ]),
    );
  });
});
