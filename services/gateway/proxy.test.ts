import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestCertificates } from "../../adapters/redis/test-server.js";
import { createUpstreamPolicy } from "../kernel/resilience.js";
import { createUpstream, forward } from "./proxy.js";

/**
 * Cloud Run gives every service an https URL (its front end terminates TLS), and the stacks hand
 * the gateway those URLs as they are. The proxy must speak TLS to them, verified against the
 * roots Node trusts (here a test CA added to them, as a public CA is for Cloud Run).
 */
describe("gateway proxy to an https upstream", () => {
  let dir: string;
  let server: Server;
  const defaults = getCACertificates("default");
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "taskflow-proxy-"));
    const tls = makeTestCertificates(dir);
    if (!tls) throw new Error("[taskflow] [tests] openssl could not make test certificates");
    setDefaultCACertificates([...defaults, await readFile(tls.caFile, "utf8")]);
    server = createServer({ cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) }, (req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: req.url })),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    setDefaultCACertificates(defaults);
    await new Promise((resolve) => server?.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it("forwards over TLS to the URL's host and port, checking the certificate's name", async () => {
    const { port } = server.address() as AddressInfo;
    const upstream = createUpstream("tasks", `https://localhost:${port}`, createUpstreamPolicy("tasks"));
    try {
      const answer = await forward(upstream, { method: "GET", path: "/api/v1/tasks", headers: {} });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body.toString())).toEqual({ path: "/api/v1/tasks" });
    } finally {
      upstream.agent.destroy();
    }
  });
});
