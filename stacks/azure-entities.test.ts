import { describe, expect, it } from "vitest";
import { Graph } from "../components/testing/graph.js";
import { platform } from "../services/platform.js";
import { openedEntityCount, serviceBusEntityProblems } from "./testing/azure-entities.js";
import { containerEnvironment, useMockedStack } from "./testing/checks.js";

/**
 * No Service Bus runs here (it has no emulator without Docker), so the broker is checked
 * statically: every entity path the adapter opens, from the very environment the graph gives
 * each app, exists in the graph, and the app's identity holds the role that path needs. The
 * Azure rehearsal runs the same check (stacks/testing/azure-entities.ts).
 */
describe("Azure: every Service Bus entity the adapter opens exists, with the identity's role on it", () => {
  const stack = useMockedStack("azure");
  const graph = () => new Graph(stack().run.resources);
  const app = () => stack().run.settings.appName;
  const brokerUsers = platform.services.filter((s) => s.publishes.length + s.consumes.length > 0);

  it.each(brokerUsers.map((s) => [s.name]))("%s", (name) => {
    const env = containerEnvironment(stack().reading, name);
    expect(serviceBusEntityProblems(graph(), app(), name, env)).toEqual([]);
    const declared = platform.services.find((s) => s.name === name);
    expect(openedEntityCount(env)).toEqual({
      send: declared?.publishes.length ?? 0,
      receive: 2 * (declared?.consumes.length ?? 0),
    });
  });

  it("names an entity the graph lacks, and an identity without the role (the check can fail)", () => {
    const env = containerEnvironment(stack().reading, "tasks");
    const missing = { ...env, BROKER_TOPICS: JSON.stringify({ "task-events": "no-such-topic" }) };
    expect(serviceBusEntityProblems(graph(), app(), "tasks", missing)).toEqual([
      `tasks sends to "no-such-topic", which the graph lacks`,
    ]);
    // The gateway's identity, with the tasks app's entities: it holds none of their roles.
    const gateway = containerEnvironment(stack().reading, "gateway");
    const problems = serviceBusEntityProblems(graph(), app(), "gateway", {
      ...env,
      AZURE_CLIENT_ID: gateway.AZURE_CLIENT_ID,
    });
    expect(problems).toContain(`gateway's identity has no Data Sender role on "task-events"`);
    expect(problems).toContain(
      `gateway's identity has no Data Receiver role on "task-events/Subscriptions/tasks-activity"`,
    );
  });
});
