import { describe, expect, it } from "vitest";
import { platform } from "../../services/platform.js";
import { useMockedStack } from "../testing/checks.js";
import { Graph } from "../testing/graph.js";
import { endpointsOf, policiesOf } from "../testing/kubernetes-graph.js";
import { type Port, probePorts, reachability } from "../testing/network-policies.js";
import { readKubernetesSettings } from "./settings.js";

/** A port no policy names: a rule that opened every port would show up on it. */
const ANY_OTHER_PORT = "TCP/1";

/**
 * What the declaration says each pod needs, and nothing else: the ingress controller to the
 * gateway, the gateway to every private service, each token verifier to identity, each service
 * to the database, cache and broker it uses, every pod to cluster DNS; and the paths each
 * operator's documentation lists for its data service (members among themselves, the operator
 * to its pods, the pods to the Kubernetes API).
 */
function expectedPaths(
  app: string,
  dataPods: { pg: string[]; redis: string[]; kafka: string[]; kafkaOperator: string[] },
) {
  const paths: Record<string, Set<Port>> = {};
  const allow = (from: string, to: string, ...ports: Port[]) => {
    const key = `${from} -> ${to}`;
    paths[key] ??= new Set();
    for (const p of ports) paths[key].add(p);
  };
  const pod = (service: string) => `${app}-${service}`;
  const inNamespace = [...platform.services.map((s) => pod(s.name)), ...Object.values(dataPods).flat()];
  for (const p of inNamespace) allow(p, "cluster-dns", "TCP/53", "UDP/53");
  const gateway = platform.services.find((s) => s.public);
  const signer = platform.services.find((s) => s.signsTokens);
  for (const s of platform.services) {
    if (s.public) allow("ingress-controller", pod(s.name), `TCP/${s.port}`);
    else if (gateway) allow(pod(gateway.name), pod(s.name), `TCP/${s.port}`);
    if (!s.signsTokens && signer) allow(pod(s.name), pod(signer.name), `TCP/${signer.port}`);
    if (s.database) for (const d of dataPods.pg) allow(pod(s.name), d, "TCP/5432");
    if (s.cache) for (const d of dataPods.redis) allow(pod(s.name), d, "TCP/6379");
    if (s.publishes.length + s.consumes.length > 0) for (const d of dataPods.kafka) allow(pod(s.name), d, "TCP/9093");
  }
  const members = (pods: string[], ports: Port[]) => {
    for (const a of pods) for (const b of pods) if (a !== b) allow(a, b, ...ports);
  };
  // CloudNativePG: replication and the instance manager's status port; the operator checks both; the instance manager watches the API.
  members(dataPods.pg, ["TCP/5432", "TCP/8000"]);
  for (const d of dataPods.pg) allow("operator", d, "TCP/5432", "TCP/8000");
  for (const d of dataPods.pg) allow(d, "outside", "TCP/443", "TCP/6443");
  // Strimzi: control plane, replication and the TLS listener between members (the entity operator is one); the operator on the internal listeners.
  const strimzi = [...dataPods.kafka, ...dataPods.kafkaOperator];
  members(strimzi, ["TCP/9090", "TCP/9091", "TCP/9093"]);
  for (const d of strimzi) allow("operator", d, "TCP/9090", "TCP/9091");
  for (const d of strimzi) allow(d, "outside", "TCP/443", "TCP/6443");
  return Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, [...v].sort()]));
}

describe("NetworkPolicies, evaluated", () => {
  const stack = useMockedStack("kubernetes");

  it("let exactly the declared paths through, nothing more, nothing less", () => {
    const { run } = stack();
    const graph = new Graph(run.resources);
    const settings = readKubernetesSettings((ns, key) => run.config[`${ns}:${key}`]);
    const endpoints = endpointsOf(graph, settings);
    const policies = policiesOf(graph);
    const names = endpoints.map((e) => e.name);
    const app = run.settings.appName;
    const dataPods = {
      pg: names.filter((n) => n.startsWith(`${app}-db-pg-`)),
      redis: names.filter((n) => n === `${app}-cache-redis`),
      kafka: names.filter((n) => n.startsWith(`${app}-broker-kafka-dual-`)),
      kafkaOperator: names.filter((n) => n === `${app}-broker-kafka-entity-operator`),
    };
    expect(dataPods.pg).toHaveLength(2);
    expect(dataPods.kafka).toHaveLength(2);
    const servicePorts = platform.services.map((s) => `TCP/${s.port}`);
    const matrix = reachability(
      policies,
      endpoints,
      probePorts(policies, [...servicePorts, ANY_OTHER_PORT]),
      settings.namespace,
    );
    expect(matrix).toEqual(expectedPaths(app, dataPods));
  });

  it("would notice a policy that opens more (the evaluation can fail)", () => {
    const { run } = stack();
    const graph = new Graph(run.resources);
    const settings = readKubernetesSettings((ns, key) => run.config[`${ns}:${key}`]);
    const endpoints = endpointsOf(graph, settings);
    const open = {
      metadata: { name: "too-open", namespace: settings.namespace },
      spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] },
    };
    const matrix = reachability([...policiesOf(graph), open], endpoints, ["TCP/5432"], settings.namespace);
    expect(matrix[`${run.settings.appName}-gateway -> ${run.settings.appName}-db-pg-1`]).toBeUndefined();
    expect(matrix[`ingress-controller -> ${run.settings.appName}-db-pg-1`]).toEqual(["TCP/5432"]);
  });
});
