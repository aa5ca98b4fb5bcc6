/**
 * The workload the usage-priced parts are estimated at: a small team's production month. Every
 * usage line in docs/cost.md says which of these it uses.
 */
export const WORKLOAD = {
  /** HTTP requests through the public entry point per month. */
  requestsPerMonth: 3_000_000,
  /** Broker messages published per month (each fans out to its subscriptions). */
  messagesPerMonth: 2_000_000,
  /** Average message size, KiB. */
  messageKib: 2,
  /** Application and flow-log volume written per month, GiB. */
  logGibPerMonth: 10,
  /** Traffic leaving through NAT (image pulls, outbound calls) per month, GiB. */
  natGibPerMonth: 20,
  /** Bytes one request adds to the load balancer's access log as stored (gzip-compressed lines). */
  accessLogBytesPerRequest: 100,
  /** Images kept in the registry, GiB. */
  registryGib: 5,
} as const;

export const HOURS_PER_MONTH = 730;
