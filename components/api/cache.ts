import type * as pulumi from "@pulumi/pulumi";
import type { Network } from "./network.js";

/** A managed Redis on private addresses, with AUTH, TLS in transit and encryption at rest. */
export interface CacheArgs {
  readonly network: Network;
  readonly memoryMb: number;
  /** Redis major version, e.g. "7". */
  readonly engineVersion: string;
  /**
   * Replicas beside the primary, in other zones, for automatic failover.
   * @default DEFAULTS.cacheReplicas (1)
   */
  readonly replicas?: number;
}

export interface Cache {
  /** `rediss://:password@host:port`, marked secret. */
  readonly connectionUrl: pulumi.Output<string>;
  readonly host: pulumi.Output<string>;
  readonly serverName: pulumi.Output<string>;
  /**
   * PEM of the authority that signs the server's TLS certificate, when it is not one Node
   * trusts by default (Memorystore signs with its own per-instance CA); absent otherwise.
   */
  readonly tlsCaCertificate?: pulumi.Output<string>;
}
