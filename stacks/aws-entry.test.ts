import { afterEach, describe, expect, it, vi } from "vitest";
import { asArray, at, Graph } from "../components/testing/graph.js";
import { runStack } from "./testing/run-stack.js";

/** An AWS stack's own settings without the plain-HTTP opt-in of stacks/Pulumi.aws.yaml. */
const REGION_ONLY = { "aws:region": "eu-west-1" };

const CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000009";

/** The public load balancer's listeners, by port, with what each does by default. */
function publicListeners(graph: Graph) {
  const publicLb = graph.ofType("aws:lb/loadBalancer:LoadBalancer").find((lb) => lb.inputs.internal === false);
  return Object.fromEntries(
    graph
      .ofType("aws:lb/listener:Listener")
      .filter((l) => l.inputs.loadBalancerArn === publicLb?.state.arn)
      .map((l) => [
        Number(l.inputs.port),
        {
          protocol: l.inputs.protocol,
          certificateArn: l.inputs.certificateArn,
          actions: (asArray(l.inputs.defaultActions) as Record<string, unknown>[]).map((a) => a.type),
          redirect: at(l.inputs, "defaultActions", 0, "redirect"),
        },
      ]),
  );
}

const worldOpenPorts = (graph: Graph) =>
  graph
    .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    .filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0")
    .map((r) => Number(r.inputs.fromPort))
    .sort((a, b) => a - b);

describe("AWS public entry point", () => {
  afterEach(() => vi.restoreAllMocks());

  it("refuses to build without a certificate unless plain HTTP is allowed, naming both ways out", async () => {
    await expect(runStack("aws", {}, REGION_ONLY)).rejects.toThrow(
      /no certificate[\s\S]*taskflow:certificateArn[\s\S]*taskflow:allowPlainHttp true/,
    );
  });

  it("with a certificate serves HTTPS on 443 and only redirects HTTP to it", async () => {
    const run = await runStack(
      "aws",
      {},
      {
        ...REGION_ONLY,
        "taskflow:domain": "tasks.example.com",
        "taskflow:certificateArn": CERTIFICATE,
      },
    );
    const graph = new Graph(run.resources);
    expect(publicListeners(graph)).toEqual({
      80: {
        protocol: "HTTP",
        certificateArn: undefined,
        actions: ["redirect"],
        redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" },
      },
      443: { protocol: "HTTPS", certificateArn: CERTIFICATE, actions: ["fixed-response"], redirect: undefined },
    });
    expect(worldOpenPorts(graph)).toEqual([80, 443]);
    // The gateway's route hangs off the HTTPS listener, never the plain one.
    const https = graph.ofType("aws:lb/listener:Listener").find((l) => l.inputs.port === 443);
    expect(graph.ofType("aws:lb/listenerRule:ListenerRule").map((r) => r.inputs.listenerArn)).toEqual([
      https?.state.arn,
    ]);
    expect(run.outputs.publicUrl).toBe("https://tasks.example.com");
  });

  it("serves plain HTTP only when taskflow:allowPlainHttp is true, and warns", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const run = await runStack("aws", {}, { ...REGION_ONLY, "taskflow:allowPlainHttp": "true" });
    const graph = new Graph(run.resources);
    expect(publicListeners(graph)).toEqual({
      80: { protocol: "HTTP", certificateArn: undefined, actions: ["fixed-response"], redirect: undefined },
    });
    expect(worldOpenPorts(graph)).toEqual([80]);
    expect(String(run.outputs.publicUrl)).toMatch(/^http:\/\//);
    expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(
      /taskflow:allowPlainHttp is true: the gateway answers over plain HTTP/,
    );
  });
});
