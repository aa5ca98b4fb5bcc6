import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../core/message.js";
import { makeTestCertificates } from "../testing/certificates.js";
import { serverGate } from "../testing/servers.js";
import { readRabbitMqOptions } from "./config.js";
import { createRabbitMqBroker } from "./message-broker.js";
import { PrivateRabbitNode, privateNodeAvailable, rabbitPasswordHash } from "./private-node.js";

/**
 * An amqps broker whose certificate comes from a CA of its own, as an in-cluster RabbitMQ's
 * comes from the stack's: a private TLS-only node with one user and a quorum queue loaded from
 * definitions. `RABBITMQ_TLS_CA` is what lets the adapter trust it; without it the connection
 * is refused, and the node admits only the defined user with its password.
 */
const skipReason = privateNodeAvailable()
  ? undefined
  : await serverGate("rabbitmq-server (for a private node)", undefined, "install the rabbitmq-server package");

const USER = "tf-tls-user";
const PASSWORD = "s3cret-for-tls-test";
const EXCHANGE = "tf-tls.events";
const QUEUE = "tf-tls.events.reader";

describe.skipIf(skipReason !== undefined)(
  skipReason ? `rabbitmq over TLS (skipped: ${skipReason})` : "rabbitmq over TLS with RABBITMQ_TLS_CA",
  () => {
    const dir = mkdtempSync(join(tmpdir(), "tf-rabbit-tls-"));
    let node: PrivateRabbitNode;
    let ca: string;
    let url: string;

    beforeAll(async () => {
      const tls = makeTestCertificates(dir);
      if (!tls) throw new Error("openssl could not make the test certificates");
      ca = readFileSync(tls.caFile, "utf8");
      node = await PrivateRabbitNode.start(30_000, {
        tls,
        definitions: {
          users: [
            {
              name: USER,
              password_hash: rabbitPasswordHash(PASSWORD),
              hashing_algorithm: "rabbit_password_hashing_sha256",
              tags: [],
            },
          ],
          vhosts: [{ name: "/" }],
          permissions: [{ user: USER, vhost: "/", configure: "^$", write: `^${EXCHANGE}$`, read: `^${QUEUE}$` }],
          exchanges: [
            {
              name: EXCHANGE,
              vhost: "/",
              type: "topic",
              durable: true,
              auto_delete: false,
              internal: false,
              arguments: {},
            },
          ],
          queues: [
            { name: QUEUE, vhost: "/", durable: true, auto_delete: false, arguments: { "x-queue-type": "quorum" } },
          ],
          bindings: [
            {
              source: EXCHANGE,
              vhost: "/",
              destination: QUEUE,
              destination_type: "queue",
              routing_key: "#",
              arguments: {},
            },
          ],
        },
      });
      url = `amqps://${USER}:${PASSWORD}@localhost:${node.port}`;
    }, 60_000);

    afterAll(async () => {
      await node?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    const options = (env: Record<string, string>) =>
      readRabbitMqOptions({
        RABBITMQ_AUTO_CREATE: "false",
        BROKER_TOPICS: JSON.stringify({ events: EXCHANGE }),
        BROKER_SUBSCRIPTIONS: JSON.stringify({ reader: QUEUE }),
        ...env,
      });

    it("publishes and consumes over amqps when RABBITMQ_TLS_CA names the broker's CA", async () => {
      const broker = await createRabbitMqBroker(options({ RABBITMQ_URL: url, RABBITMQ_TLS_CA: ca }));
      try {
        let delivered: (message: Message) => void = () => {};
        const received = new Promise<Message>((resolve) => {
          delivered = resolve;
        });
        await broker.subscribe("events", "reader", (message) => delivered(message));
        await broker.publish("events", { id: "m-1", body: { hello: "tls" } });
        await expect(received).resolves.toMatchObject({ id: "m-1", body: { hello: "tls" } });
      } finally {
        await broker.close();
      }
    }, 30_000);

    it("refuses the broker's certificate without RABBITMQ_TLS_CA", async () => {
      const attempt = createRabbitMqBroker({ ...options({ RABBITMQ_URL: url }), connectTimeoutMs: 1_000 });
      const error = await attempt.then(
        (b) => b.close().then(() => undefined),
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/cannot connect to amqps:\/\/tf-tls-user:\*\*\*@localhost/);
      expect(String((error?.cause as Error | undefined)?.message)).toMatch(/certificate/i);
    }, 30_000);

    it("admits only the defined user with its password (no default guest)", async () => {
      for (const wrong of [
        `amqps://${USER}:wrong@localhost:${node.port}`,
        `amqps://guest:guest@localhost:${node.port}`,
      ]) {
        const error = await createRabbitMqBroker({
          ...options({ RABBITMQ_URL: wrong, RABBITMQ_TLS_CA: ca }),
          connectTimeoutMs: 1_000,
        }).then(
          (b) => b.close().then(() => undefined),
          (e: Error) => e,
        );
        expect(String((error?.cause as Error | undefined)?.message)).toMatch(/ACCESS_REFUSED|403/);
      }
    }, 30_000);
  },
);
