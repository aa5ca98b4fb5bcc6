import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Prometheus metrics of one HTTP app: request count and duration by route and status. */
export interface HttpMetrics {
  readonly registry: Registry;
  observe(labels: { method: string; route: string; status: number }, seconds: number): void;
}

export function createHttpMetrics(service: string): HttpMetrics {
  // A registry per app, so several apps in one process (tests, local mode) do not collide.
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by route template and status",
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration, by route template and status",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // One pair of children per (method, route, status): prom-client would otherwise hash the label
  // object on every request. Routes are templates, so the map stays as small as the route table.
  const children = new Map<string, { count: { inc(): void }; time: { observe(value: number): void } }>();
  return {
    registry,
    observe(labels, seconds) {
      const key = `${labels.method} ${labels.status} ${labels.route}`;
      let child = children.get(key);
      if (!child) {
        const l = { method: labels.method, route: labels.route, status: String(labels.status) };
        child = { count: requests.labels(l), time: duration.labels(l) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
  };
}
