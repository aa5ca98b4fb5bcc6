/** The user benchmarks act as, and the issuer and audience of the access tokens they sign. */
export const BENCH_USER = "bench-user";
export const BENCH_TOKENS = { issuer: "taskflow-identity", audience: "taskflow" } as const;
