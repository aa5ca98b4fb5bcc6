import { describe, expect, it } from "vitest";
import { Graph } from "../../components/testing/graph.js";
import type { RecordedResource } from "../../components/testing/mocks.js";
import { useMockedStack } from "../../stacks/testing/checks.js";
import { azure } from "./azure.js";

/** Where the Azure rehearsal sends each connection, read from the mocked Azure stack, and what stops it. */
describe("Azure rehearsal endpoints", () => {
  const stack = useMockedStack("azure");
  const app = () => stack().run.settings.appName;
  /** The graph with one resource's inputs changed by `edit`. */
  const edited = (name: string, edit: (inputs: Record<string, unknown>) => void) =>
    new Graph(
      stack().run.resources.map((r): RecordedResource => {
        if (r.name !== name) return r;
        const inputs = structuredClone(r.inputs) as Record<string, unknown>;
        edit(inputs);
        return { ...r, inputs };
      }),
    );

  it("names Flexible Server on 5432 with its admin login, Managed Redis on its port, and each app's internal ingress on 443", () => {
    const endpoints = azure.endpoints(new Graph(stack().run.resources), app());
    expect(endpoints.database).toMatchObject({ port: 5432, user: "taskflow", name: "taskflow" });
    expect(endpoints.database.host).toMatch(/\.postgres\.database\.azure\.com$/);
    expect(endpoints.cache).toMatchObject({ port: 10000 });
    expect(endpoints.cache.host).toMatch(/\.redis\.azure\.net$/);
    expect(Object.keys(endpoints.services).sort()).toEqual(["gateway", "identity", "notifications", "tasks", "users"]);
    expect(endpoints.services.tasks).toMatchObject({ port: 443, tls: true });
    expect(endpoints.services.tasks?.host).toBe(
      `${app()}-tasks.internal.happy-meadow-0a1b2c3d.westeurope.azurecontainerapps.io`,
    );
  });

  it("stops on an ingress port that is not the container's PORT, and on a clustering policy a plain client cannot use", () => {
    const wrongPort = edited(`${app()}-tasks-app`, (inputs) => {
      const ingress = (inputs.configuration as { ingress: { targetPort: number } }).ingress;
      ingress.targetPort = 8080;
    });
    expect(() => azure.endpoints(wrongPort, app())).toThrow(/ingress targetPort 8080 is not the PORT 7001/);
    const oss = edited(`${app()}-cache-database`, (inputs) => {
      inputs.clusteringPolicy = "OSSCluster";
    });
    expect(() => azure.endpoints(oss, app())).toThrow(/clustering policy OSSCluster/);
  });
});
