import { describe, expect, it } from "vitest";
import { parseAddress, tcpReachable } from "../adapters/testing/servers.js";
import { findPubSubLauncher } from "./emulators.js";
import { TEST_SERVERS_MARKER } from "./test-servers.js";

describe("test servers global setup", () => {
  it("parses emulator addresses with and without a scheme", () => {
    expect(parseAddress("http://127.0.0.1:4566")).toEqual({ host: "127.0.0.1", port: 4566 });
    expect(parseAddress("127.0.0.1:8085")).toEqual({ host: "127.0.0.1", port: 8085 });
    expect(parseAddress("localhost")).toBeUndefined();
    expect(parseAddress(undefined)).toBeUndefined();
  });

  const ran = process.env[TEST_SERVERS_MARKER] !== undefined;
  it.skipIf(!ran || process.env.TASKFLOW_EMULATORS === "off")(
    "hands the emulator addresses to test workers, and they answer",
    async () => {
      const sqs = parseAddress(process.env.AWS_ENDPOINT_URL);
      expect(sqs).toBeDefined();
      expect(await tcpReachable(sqs!.host, sqs!.port)).toBe(true);
      if (findPubSubLauncher()) {
        const pubsub = parseAddress(process.env.PUBSUB_EMULATOR_HOST);
        expect(pubsub).toBeDefined();
        expect(await tcpReachable(pubsub!.host, pubsub!.port)).toBe(true);
      }
    },
  );
});
