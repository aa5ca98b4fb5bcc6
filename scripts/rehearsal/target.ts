import type { CloudProvider } from "../../components/api/platform.js";
import type { Graph } from "../../components/testing/graph.js";
import type { MockOptions } from "../../components/testing/mocks.js";
import type { ThrowAwayCa } from "./certificates.js";

/**
 * What one deploy target contributes to a rehearsal (scripts/rehearsal/<target>.ts, listed in
 * targets.ts): where its managed endpoints are, read from the stack's graph, and a stand-in for
 * its broker built with the graph's topology. Everything else (the image, the services, the
 * database, cache and collector stand-ins, the checks) is the same for every target.
 */
export interface RehearsalTarget {
  readonly provider: CloudProvider;
  /** How the stack is built under the mocks for this target (e.g. the account its emulator serves). */
  readonly mocks?: MockOptions;
  /**
   * Settings the rehearsal sets on top of the stack file for this target, printed first (the
   * Kubernetes stack is rehearsed with `taskflow:broker rabbitmq`, the broker this machine has).
   */
  readonly settings?: Readonly<Record<string, string>>;
  /**
   * Whether a deployed service verifies some peer against the public roots (ElastiCache, Cloud
   * Run's front end), so the throw-away CA joins Node's roots. False where every peer's CA comes
   * in the service's own `*_TLS_CA` variable (a cluster's own CA): a service the stack gives no
   * CA then fails here as it would deployed. @default true
   */
  readonly publicRoots?: boolean;
  /** The managed endpoints as the graph declares them. */
  endpoints(graph: Graph, app: string): ManagedEndpoints;
  /** Starts the broker stand-in with exactly the graph's topics and subscriptions; `ca` for one that serves TLS. */
  startBroker(graph: Graph, app: string, ca: ThrowAwayCa): Promise<BrokerStandIn>;
}

export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface ManagedEndpoints {
  /** The managed PostgreSQL server, with the login the graph created on it. */
  readonly database: Address & { readonly user: string; readonly password: string; readonly name: string };
  /** The managed Redis, with the AUTH token the graph holds. */
  readonly cache: Address & { readonly password: string };
  /**
   * How the services reach one another (the internal load balancer's listeners, Cloud Run's
   * front end). `tls`: the platform terminates TLS in front of the container; `via`: what the
   * address is, for the printout (@default "the internal load balancer").
   */
  readonly services: Readonly<Record<string, Address & { readonly tls: boolean; readonly via?: string }>>;
  /**
   * A broker the services dial by host name (an in-cluster RabbitMQ's Service), not through an
   * SDK endpoint variable; routed to the stand-in's `port`, and certified when `tls`.
   */
  readonly broker?: Address & { readonly tls: boolean };
}

/** One change the rehearsal makes to where a service's connections go, printed before it starts. */
export interface Swap {
  readonly what: string;
  readonly from: string;
  readonly to: string;
}

export interface BrokerStandIn {
  /** The variables that point the SDK at the stand-in (AWS_ENDPOINT_URL, PUBSUB_EMULATOR_HOST). */
  readonly env: Readonly<Record<string, string>>;
  /** The local port it listens on, for a broker the graph names by host (`ManagedEndpoints.broker`). */
  readonly port?: number;
  /** Every topic and subscription address it serves, as the services' BROKER_* variables name them. */
  readonly addresses: ReadonlySet<string>;
  /**
   * How the services are pointed at it, for the printed list; by default one "SDK endpoint
   * variable" line per entry of `env`.
   */
  readonly swaps?: readonly Swap[];
  /** What it was created with, for the printout: "3 FIFO topics, 6 queues with DLQs, ...". */
  readonly summary: string;
  stop(): Promise<void>;
}
