/**
 * Evaluates Kubernetes NetworkPolicies the way the API defines them: a pod selected by no
 * policy of a direction is open in that direction; once selected, only what some rule of some
 * selecting policy allows gets through (policies add up, none subtracts). A connection needs
 * the source's egress and the destination's ingress. Peers outside the stack's namespace (the
 * ingress controller, cluster DNS, the operators) and addresses outside the cluster have no
 * policies of the stack's, so their own side is open.
 */

export interface Endpoint {
  readonly name: string;
  /** Absent for an address outside the cluster (the API server, an object store, an external database). */
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}
interface Rule {
  readonly from?: PolicyPeer[];
  readonly to?: PolicyPeer[];
  readonly ports?: PolicyPort[];
}
export interface NetworkPolicyObject {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector: LabelSelector;
    readonly policyTypes?: string[];
    readonly ingress?: Rule[];
    readonly egress?: Rule[];
  };
}

/** "TCP/5432", "UDP/53". */
export type Port = string;

export function matches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = key(e.key);
    if (e.operator === "In" && !(has && e.values?.includes(labels[e.key] as string))) return false;
    if (e.operator === "NotIn" && has && e.values?.includes(labels[e.key] as string)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
  function key(name: string) {
    return Object.hasOwn(labels, name);
  }
}

/** The namespace's own labels, as the API server sets them. */
const namespaceLabels = (namespace: string) => ({ "kubernetes.io/metadata.name": namespace });

function peerMatches(peer: PolicyPeer, policyNamespace: string, target: Endpoint): boolean {
  if (peer.ipBlock) {
    // Only whole-internet blocks are used; pod addresses are selected by labels instead.
    return target.namespace === undefined && peer.ipBlock.cidr === "0.0.0.0/0";
  }
  if (target.namespace === undefined) return false;
  const inNamespace = peer.namespaceSelector
    ? matches(peer.namespaceSelector, namespaceLabels(target.namespace))
    : target.namespace === policyNamespace;
  return inNamespace && matches(peer.podSelector, target.labels);
}

function portMatches(ports: PolicyPort[] | undefined, port: Port): boolean {
  if (!ports || ports.length === 0) return true;
  const [protocol, number] = port.split("/");
  return ports.some(
    (p) =>
      (p.protocol ?? "TCP") === protocol &&
      (p.port === undefined ||
        (p.endPort !== undefined
          ? Number(number) >= Number(p.port) && Number(number) <= p.endPort
          : String(p.port) === number)),
  );
}

function allowedBy(
  policies: readonly NetworkPolicyObject[],
  subject: Endpoint,
  direction: "Ingress" | "Egress",
  other: Endpoint,
  port: Port,
): boolean {
  if (subject.namespace === undefined) return true;
  const selecting = policies.filter(
    (p) =>
      p.metadata.namespace === subject.namespace &&
      matches(p.spec.podSelector, subject.labels) &&
      (p.spec.policyTypes ?? ["Ingress"]).includes(direction),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (direction === "Ingress" ? p.spec.ingress : p.spec.egress)?.some(
      (rule) =>
        portMatches(rule.ports, port) &&
        (() => {
          const peers = direction === "Ingress" ? rule.from : rule.to;
          return !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, p.metadata.namespace, other));
        })(),
    ),
  );
}

/** Whether `from` may open a connection to `to` on `port`. */
export function allowed(policies: readonly NetworkPolicyObject[], from: Endpoint, to: Endpoint, port: Port): boolean {
  return allowedBy(policies, from, "Egress", to, port) && allowedBy(policies, to, "Ingress", from, port);
}

/** Every port any policy names, plus `extra` (the services' own ports), so nothing open goes unprobed. */
export function probePorts(policies: readonly NetworkPolicyObject[], extra: readonly Port[] = []): Port[] {
  const ports = new Set<Port>(extra);
  for (const p of policies) {
    for (const rule of [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]) {
      for (const port of rule.ports ?? [])
        if (port.port !== undefined) ports.add(`${port.protocol ?? "TCP"}/${port.port}`);
    }
  }
  return [...ports].sort();
}

/**
 * "from -> to": sorted ports, for every pair with at least one open port and at least one end in
 * `namespace` (traffic between two outside peers is not the stack's to allow; an endpoint to itself is left out).
 */
export function reachability(
  policies: readonly NetworkPolicyObject[],
  endpoints: readonly Endpoint[],
  ports: readonly Port[],
  namespace: string,
): Record<string, Port[]> {
  const matrix: Record<string, Port[]> = {};
  for (const from of endpoints) {
    for (const to of endpoints) {
      if (from === to || (from.namespace !== namespace && to.namespace !== namespace)) continue;
      const open = ports.filter((port) => allowed(policies, from, to, port));
      if (open.length > 0) matrix[`${from.name} -> ${to.name}`] = open;
    }
  }
  return matrix;
}
